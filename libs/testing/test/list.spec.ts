import { ApiException, CoreV1Api } from '@kubernetes/client-node';
import { ConfigMaps, Pods } from '@rxinformer/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKubeApiServer, type KubeApiServer } from '../src/index.js';
import { raw } from './support.js';

let server: KubeApiServer;
let core: CoreV1Api;
beforeEach(async () => {
  server = await createKubeApiServer({ seed: 3, historySize: 50 });
  core = server.kubeConfig.makeApiClient(CoreV1Api);
});
afterEach(() => server.close());

const names = (list: { items: { metadata?: { name?: string } }[] }): string[] =>
  list.items.map((i) => i.metadata?.name ?? '');

function seed(count: number, namespace = 'page'): void {
  for (let i = 0; i < count; i++) {
    server.create(ConfigMaps, {
      metadata: {
        name: `cm-${String(i).padStart(3, '0')}`,
        namespace,
        labels: { parity: i % 2 ? 'odd' : 'even' },
      },
    });
  }
}

describe('pagination', () => {
  it('pages with limit and continue, with remainingItemCount, over a consistent snapshot', async () => {
    seed(10);
    const first = await core.listNamespacedConfigMap({ namespace: 'page', limit: 4 });
    expect(names(first)).toEqual(['cm-000', 'cm-001', 'cm-002', 'cm-003']);
    expect(first.metadata?.remainingItemCount).toBe(6);
    expect(first.metadata?._continue).toBeTruthy();
    // Writes between pages do not show up: the continue token pins the snapshot.
    server.delete(ConfigMaps, 'cm-005', 'page');
    server.create(ConfigMaps, { metadata: { name: 'cm-004a', namespace: 'page' } });
    server.patch(ConfigMaps, 'cm-006', { data: { changed: 'yes' } }, { namespace: 'page' });
    const second = await core.listNamespacedConfigMap({
      namespace: 'page',
      limit: 4,
      _continue: first.metadata?._continue ?? '',
    });
    expect(names(second)).toEqual(['cm-004', 'cm-005', 'cm-006', 'cm-007']);
    expect(second.items[2]?.data).toBeUndefined();
    expect(second.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
    expect(second.metadata?.remainingItemCount).toBe(2);
    const third = await core.listNamespacedConfigMap({
      namespace: 'page',
      limit: 4,
      _continue: second.metadata?._continue ?? '',
    });
    expect(names(third)).toEqual(['cm-008', 'cm-009']);
    expect(third.metadata?._continue).toBeUndefined();
    expect(third.metadata?.remainingItemCount).toBeUndefined();
    // A fresh list sees the writes.
    const fresh = await core.listNamespacedConfigMap({ namespace: 'page' });
    expect(names(fresh)).toContain('cm-004a');
    expect(names(fresh)).not.toContain('cm-005');
  });

  it('pages with selectors (no remainingItemCount) and across namespaces', async () => {
    seed(6, 'a');
    seed(6, 'b');
    const even = await core.listConfigMapForAllNamespaces({ labelSelector: 'parity=even', limit: 4 });
    expect(even.items.map((i) => `${i.metadata?.namespace}/${i.metadata?.name}`)).toEqual([
      'a/cm-000',
      'a/cm-002',
      'a/cm-004',
      'b/cm-000',
    ]);
    expect(even.metadata?.remainingItemCount).toBeUndefined();
    const rest = await core.listConfigMapForAllNamespaces({
      labelSelector: 'parity=even',
      limit: 4,
      _continue: even.metadata?._continue ?? '',
    });
    expect(rest.items.map((i) => `${i.metadata?.namespace}/${i.metadata?.name}`)).toEqual([
      'b/cm-002',
      'b/cm-004',
    ]);
  });

  it('answers 410 Expired for a continue token whose snapshot left the history window', async () => {
    seed(6);
    const first = await core.listNamespacedConfigMap({ namespace: 'page', limit: 2 });
    for (let i = 0; i < 60; i++)
      server.patch(ConfigMaps, 'cm-000', { data: { i: String(i) } }, { namespace: 'page' });
    const res = await raw(
      server,
      `/api/v1/namespaces/page/configmaps?limit=2&continue=${first.metadata?._continue}`,
    );
    expect(res.status).toBe(410);
    const status = res.json<{
      reason: string;
      code: number;
      message: string;
      metadata: { continue?: string };
    }>();
    expect(status).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 });
    expect(status.message).toMatch(
      /^The provided continue parameter is too old to display a consistent list result\. You can start a new list without the continue parameter/,
    );
    // The inconsistent continuation it offers serves the rest from the latest state.
    const rest = await core.listNamespacedConfigMap({
      namespace: 'page',
      limit: 10,
      _continue: status.metadata.continue ?? '',
    });
    expect(names(rest)).toEqual(['cm-002', 'cm-003', 'cm-004', 'cm-005']);
  });

  it('rejects a malformed continue token with 400', async () => {
    const res = await raw(server, '/api/v1/namespaces/page/configmaps?limit=2&continue=garbage');
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ reason: 'BadRequest' });
  });
});

describe('resourceVersion semantics', () => {
  it('serves an exact resourceVersion within the window and 410 before it', async () => {
    server.create(ConfigMaps, { metadata: { name: 'rv', namespace: 'rv' }, data: { v: '1' } });
    const at = server.resourceVersion;
    server.patch(ConfigMaps, 'rv', { data: { v: '2' } }, { namespace: 'rv' });
    const old = await core.listNamespacedConfigMap({
      namespace: 'rv',
      resourceVersion: at,
      resourceVersionMatch: 'Exact',
    });
    expect(old.items[0]?.data).toEqual({ v: '1' });
    expect(old.metadata?.resourceVersion).toBe(at);
    const latest = await core.listNamespacedConfigMap({ namespace: 'rv', resourceVersion: '0' });
    expect(latest.items[0]?.data).toEqual({ v: '2' });
    const notOlder = await core.listNamespacedConfigMap({
      namespace: 'rv',
      resourceVersion: at,
      resourceVersionMatch: 'NotOlderThan',
    });
    expect(notOlder.items[0]?.data).toEqual({ v: '2' });
    server.faults.compactHistory();
    const expired = await raw(
      server,
      `/api/v1/namespaces/rv/configmaps?resourceVersion=${at}&resourceVersionMatch=Exact`,
    );
    expect(expired.status).toBe(410);
    expect(expired.json()).toMatchObject({
      reason: 'Expired',
      message: 'The resourceVersion for the provided list is too old.',
    });
  });

  it('answers 504 for a resourceVersion the server has not reached', async () => {
    const res = await raw(
      server,
      `/api/v1/configmaps?resourceVersion=${Number(server.resourceVersion) + 100}`,
    );
    expect(res.status).toBe(504);
    expect(res.json()).toMatchObject({ reason: 'Timeout' });
  });

  it('lists built-in items without type meta, under a kind List with the list resourceVersion', async () => {
    server.create(Pods, { metadata: { name: 'p', namespace: 'tm' }, spec: { containers: [] } });
    const res = await raw(server, '/api/v1/namespaces/tm/pods');
    const list = res.json<{
      kind: string;
      apiVersion: string;
      metadata: { resourceVersion: string };
      items: Record<string, unknown>[];
    }>();
    expect(list.kind).toBe('PodList');
    expect(list.apiVersion).toBe('v1');
    expect(list.metadata.resourceVersion).toBe(server.resourceVersion);
    expect(Object.keys(list.items[0] ?? {})).toEqual(['metadata', 'spec']);
  });
});

describe('selectors', () => {
  beforeEach(() => {
    const make = (name: string, labels: Record<string, string>, nodeName: string, phase: string) =>
      server.create(Pods, {
        metadata: { name, namespace: 'sel', labels },
        spec: { nodeName, containers: [] },
        status: { phase },
      });
    make('a', { app: 'web', tier: 'front' }, 'n1', 'Running');
    make('b', { app: 'web', tier: 'back' }, 'n2', 'Pending');
    make('c', { app: 'db' }, 'n1', 'Running');
    make('d', {}, 'n2', 'Succeeded');
  });

  const select = async (labelSelector?: string, fieldSelector?: string) =>
    names(
      await core.listNamespacedPod({
        namespace: 'sel',
        ...(labelSelector ? { labelSelector } : {}),
        ...(fieldSelector ? { fieldSelector } : {}),
      }),
    );

  it('supports equality, set-based and existence label selectors', async () => {
    expect(await select('app=web')).toEqual(['a', 'b']);
    expect(await select('app==web,tier=back')).toEqual(['b']);
    expect(await select('app!=web')).toEqual(['c', 'd']);
    expect(await select('tier in (front, back)')).toEqual(['a', 'b']);
    expect(await select('app notin (web)')).toEqual(['c', 'd']);
    expect(await select('tier')).toEqual(['a', 'b']);
    expect(await select('!tier')).toEqual(['c', 'd']);
  });

  it('supports field selectors on metadata and per-kind fields', async () => {
    expect(await select(undefined, 'metadata.name=c')).toEqual(['c']);
    expect(await select(undefined, 'metadata.namespace=sel,spec.nodeName=n1')).toEqual(['a', 'c']);
    expect(await select(undefined, 'status.phase!=Running')).toEqual(['b', 'd']);
    expect(await select('app=web', 'spec.nodeName==n2')).toEqual(['b']);
  });

  it('answers 400 for a malformed label selector and an unsupported field', async () => {
    for (const [query, message] of [
      ['labelSelector=app%20in%20(', /unable to parse requirement/],
      ['labelSelector=a%20b', /unable to parse requirement/],
      ['fieldSelector=spec.foo%3Dbar', /^field label not supported: spec\.foo$/],
      ['fieldSelector=nonsense', /invalid selector/],
    ] as const) {
      const res = await raw(server, `/api/v1/namespaces/sel/pods?${query}`);
      expect(res.status, query).toBe(400);
      const status = res.json<{ reason: string; message: string }>();
      expect(status.reason).toBe('BadRequest');
      expect(status.message).toMatch(message);
    }
    const error = await core
      .listNamespacedPod({ namespace: 'sel', fieldSelector: 'spec.nope=1' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiException);
    expect((error as ApiException<unknown>).code).toBe(400);
  });
});

describe('metadata-only and content negotiation', () => {
  it('lists PartialObjectMetadataList for the metadata Accept header', async () => {
    server.create(ConfigMaps, {
      metadata: { name: 'm', namespace: 'meta', labels: { a: 'b' } },
      data: { big: 'x'.repeat(1000) },
    });
    const res = await raw(server, '/api/v1/namespaces/meta/configmaps', {
      headers: {
        Accept: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json',
      },
    });
    const list = res.json<{ kind: string; apiVersion: string; items: Record<string, unknown>[] }>();
    expect(list.kind).toBe('PartialObjectMetadataList');
    expect(list.apiVersion).toBe('meta.k8s.io/v1');
    expect(list.items).toEqual([
      {
        kind: 'PartialObjectMetadata',
        apiVersion: 'meta.k8s.io/v1',
        metadata: expect.objectContaining({ name: 'm', labels: { a: 'b' } }),
      },
    ]);
  });

  it('gets a PartialObjectMetadata for one object', async () => {
    server.create(ConfigMaps, { metadata: { name: 'one', namespace: 'meta' }, data: { a: '1' } });
    const res = await raw(server, '/api/v1/namespaces/meta/configmaps/one', {
      headers: { Accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1' },
    });
    expect(res.json()).toEqual({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: expect.objectContaining({ name: 'one' }),
    });
  });

  it('answers 406 when only protobuf is acceptable, and falls back to JSON when it is listed', async () => {
    const refused = await raw(server, '/api/v1/configmaps', {
      headers: { Accept: 'application/vnd.kubernetes.protobuf' },
    });
    expect(refused.status).toBe(406);
    expect(refused.json()).toMatchObject({ reason: 'NotAcceptable', code: 406 });
    const ok = await raw(server, '/api/v1/configmaps', {
      headers: { Accept: 'application/vnd.kubernetes.protobuf, application/json' },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toBe('application/json');
  });
});
