import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1Pod,
} from '@kubernetes/client-node';
import { ConfigMaps, Deployments, Namespaces, Nodes, Pods } from '@rxinformer/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeApiServer, KubeStatusError, type KubeApiServer } from '../src/index.js';
import { raw } from './support.js';

let server: KubeApiServer;
let core: CoreV1Api;
let apps: AppsV1Api;

beforeAll(async () => {
  server = await createKubeApiServer({ seed: 7 });
  core = server.kubeConfig.makeApiClient(CoreV1Api);
  apps = server.kubeConfig.makeApiClient(AppsV1Api);
});
afterAll(() => server.close());

const pod = (name: string, labels: Record<string, string> = {}): V1Pod => ({
  metadata: { name, labels },
  spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
});

async function apiError(promise: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiException)
      return { code: error.code, body: JSON.parse(String(error.body)) as Record<string, unknown> };
    throw error;
  }
  throw new Error('expected the request to fail');
}

describe('create', () => {
  it('sets uid, creationTimestamp, generation 1 and a global, increasing resourceVersion', async () => {
    const before = Number(server.resourceVersion);
    const a = await core.createNamespacedPod({ namespace: 'crud', body: pod('a') });
    const b = await core.createNamespacedConfigMap({
      namespace: 'crud',
      body: { metadata: { name: 'b' }, data: { k: 'v' } },
    });
    expect(a.metadata?.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(a.metadata?.generation).toBe(1);
    expect(a.metadata?.namespace).toBe('crud');
    expect(a.kind).toBe('Pod');
    expect(a.apiVersion).toBe('v1');
    const rvA = Number(a.metadata?.resourceVersion);
    const rvB = Number(b.metadata?.resourceVersion);
    expect(rvA).toBeGreaterThan(before);
    expect(rvB).toBe(rvA + 1);
    expect(server.resourceVersion).toBe(String(rvB));
  });

  it('answers 409 AlreadyExists for a duplicate name', async () => {
    await core.createNamespacedPod({ namespace: 'crud', body: pod('dup') });
    const error = await apiError(core.createNamespacedPod({ namespace: 'crud', body: pod('dup') }));
    expect(error).toEqual({
      code: 409,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'pods "dup" already exists',
        reason: 'AlreadyExists',
        details: { name: 'dup', kind: 'pods' },
        code: 409,
      },
    });
  });

  it('generates a name from generateName', async () => {
    const created = await core.createNamespacedPod({
      namespace: 'crud',
      body: { metadata: { generateName: 'gen-' }, spec: { containers: [] } },
    });
    expect(created.metadata?.name).toMatch(/^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('creates a missing namespace by default, and 404s for it when autoCreateNamespaces is false', async () => {
    await core.createNamespacedConfigMap({ namespace: 'fresh-ns', body: { metadata: { name: 'x' } } });
    expect(server.get(Namespaces, 'fresh-ns').metadata?.name).toBe('fresh-ns');
    const strict = await createKubeApiServer({ autoCreateNamespaces: false });
    try {
      const error = await apiError(
        strict.kubeConfig
          .makeApiClient(CoreV1Api)
          .createNamespacedConfigMap({ namespace: 'nope', body: { metadata: { name: 'x' } } }),
      );
      expect(error.code).toBe(404);
      expect(error.body).toMatchObject({
        message: 'namespaces "nope" not found',
        reason: 'NotFound',
        details: { name: 'nope', kind: 'namespaces' },
      });
    } finally {
      await strict.close();
    }
  });
});

describe('get, update and optimistic concurrency', () => {
  it('answers 404 NotFound shaped like the real server, with the group for grouped resources', async () => {
    expect(await apiError(core.readNamespacedPod({ namespace: 'crud', name: 'x' }))).toEqual({
      code: 404,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'pods "x" not found',
        reason: 'NotFound',
        details: { name: 'x', kind: 'pods' },
        code: 404,
      },
    });
    expect(
      (await apiError(apps.readNamespacedDeployment({ namespace: 'crud', name: 'y' }))).body,
    ).toMatchObject({
      message: 'deployments.apps "y" not found',
      details: { name: 'y', group: 'apps', kind: 'deployments' },
    });
  });

  it('bumps generation only when the spec changes, and resourceVersion on every change', async () => {
    const created = await apps.createNamespacedDeployment({
      namespace: 'crud',
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [] } },
        },
      },
    });
    const relabelled = await apps.replaceNamespacedDeployment({
      namespace: 'crud',
      name: 'web',
      body: { ...created, metadata: { ...created.metadata, labels: { tier: 'front' } } },
    });
    expect(relabelled.metadata?.generation).toBe(1);
    expect(Number(relabelled.metadata?.resourceVersion)).toBeGreaterThan(
      Number(created.metadata?.resourceVersion),
    );
    const scaled = await apps.replaceNamespacedDeployment({
      namespace: 'crud',
      name: 'web',
      body: { ...relabelled, spec: { ...relabelled.spec!, replicas: 3 } },
    });
    expect(scaled.metadata?.generation).toBe(2);
    expect(scaled.metadata?.uid).toBe(created.metadata?.uid);
    expect(scaled.metadata?.creationTimestamp).toEqual(created.metadata?.creationTimestamp);
  });

  it('does not write (same resourceVersion, no event) when an update changes nothing', async () => {
    const cm = await core.createNamespacedConfigMap({
      namespace: 'crud',
      body: { metadata: { name: 'same' }, data: { a: '1' } },
    });
    const again = await core.replaceNamespacedConfigMap({ namespace: 'crud', name: 'same', body: cm });
    expect(again.metadata?.resourceVersion).toBe(cm.metadata?.resourceVersion);
  });

  it('answers 409 Conflict for an update carrying a stale resourceVersion', async () => {
    const cm = await core.createNamespacedConfigMap({
      namespace: 'crud',
      body: { metadata: { name: 'occ' }, data: { a: '1' } },
    });
    await core.replaceNamespacedConfigMap({
      namespace: 'crud',
      name: 'occ',
      body: { ...cm, data: { a: '2' } },
    });
    const error = await apiError(
      core.replaceNamespacedConfigMap({ namespace: 'crud', name: 'occ', body: { ...cm, data: { a: '3' } } }),
    );
    expect(error).toEqual({
      code: 409,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message:
          'Operation cannot be fulfilled on configmaps "occ": the object has been modified; please apply your changes to the latest version and try again',
        reason: 'Conflict',
        details: { name: 'occ', kind: 'configmaps' },
        code: 409,
      },
    });
    const { metadata: _m, ...unconditional } = cm;
    const updated = await core.replaceNamespacedConfigMap({
      namespace: 'crud',
      name: 'occ',
      body: { ...unconditional, metadata: { name: 'occ' }, data: { a: '4' } },
    });
    expect(updated.data).toEqual({ a: '4' });
  });

  it('keeps the status on main-resource writes and changes only the status through /status', async () => {
    const created = await core.createNamespacedPod({
      namespace: 'crud',
      body: { ...pod('st'), status: { phase: 'Pending' } },
    });
    const replaced = await core.replaceNamespacedPod({
      namespace: 'crud',
      name: 'st',
      body: { ...created, status: { phase: 'Running' } },
    });
    expect(replaced.status?.phase).toBe('Pending');
    const statusWrite = await core.replaceNamespacedPodStatus({
      namespace: 'crud',
      name: 'st',
      body: {
        ...replaced,
        metadata: { ...replaced.metadata, labels: { ignored: 'yes' } },
        status: { phase: 'Running' },
      },
    });
    expect(statusWrite.status?.phase).toBe('Running');
    expect(statusWrite.metadata?.labels).toEqual(created.metadata?.labels);
  });

  it('direct methods share the semantics and throw KubeStatusError', () => {
    const cm = server.create(ConfigMaps, {
      metadata: { name: 'direct', namespace: 'crud' },
      data: { a: '1' },
    });
    expect(server.get(ConfigMaps, 'direct', 'crud').data).toEqual({ a: '1' });
    server.update(ConfigMaps, { ...cm, data: { a: '2' } });
    let caught: unknown;
    try {
      server.update(ConfigMaps, { ...cm, data: { a: '3' } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(KubeStatusError);
    expect((caught as KubeStatusError).code).toBe(409);
    expect(server.find(ConfigMaps, 'nope', 'crud')).toBeUndefined();
    expect(server.list(ConfigMaps, { namespace: 'crud' }).map((c) => c.metadata?.name)).toContain('direct');
  });
});

describe('patch', () => {
  it('applies merge, JSON and strategic-merge patches', async () => {
    await core.createNamespacedConfigMap({
      namespace: 'crud',
      body: { metadata: { name: 'p', labels: { a: '1', b: '2' } }, data: { x: '1' } },
    });
    const merged = await core.patchNamespacedConfigMap(
      { namespace: 'crud', name: 'p', body: { metadata: { labels: { b: null, c: '3' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(merged.metadata?.labels).toEqual({ a: '1', c: '3' });
    const jsonPatched = await core.patchNamespacedConfigMap(
      {
        namespace: 'crud',
        name: 'p',
        body: [
          { op: 'replace', path: '/data/x', value: '2' },
          { op: 'add', path: '/data/y', value: 'new' },
        ],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    expect(jsonPatched.data).toEqual({ x: '2', y: 'new' });
    const strategic = await core.patchNamespacedConfigMap(
      { namespace: 'crud', name: 'p', body: { data: { z: 'z' } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(strategic.data).toEqual({ x: '2', y: 'new', z: 'z' });
  });

  it('answers 422 when a JSON patch test fails, and 409 for a stale resourceVersion in a patch', async () => {
    await core.createNamespacedConfigMap({
      namespace: 'crud',
      body: { metadata: { name: 'pt' }, data: { x: '1' } },
    });
    const failed = await apiError(
      core.patchNamespacedConfigMap(
        { namespace: 'crud', name: 'pt', body: [{ op: 'test', path: '/data/x', value: 'nope' }] },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      ),
    );
    expect(failed.code).toBe(422);
    const stale = await apiError(
      core.patchNamespacedConfigMap(
        { namespace: 'crud', name: 'pt', body: { metadata: { resourceVersion: '1' }, data: { x: '2' } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    expect(stale.code).toBe(409);
    expect(stale.body['reason']).toBe('Conflict');
  });
});

describe('delete', () => {
  it('returns the final pod with a new resourceVersion, and a Success Status for a configmap', async () => {
    const created = await core.createNamespacedPod({ namespace: 'crud', body: pod('gone') });
    const deleted = await core.deleteNamespacedPod({ namespace: 'crud', name: 'gone' });
    expect(deleted.metadata?.name).toBe('gone');
    expect(Number(deleted.metadata?.resourceVersion)).toBeGreaterThan(
      Number(created.metadata?.resourceVersion),
    );
    const cm = await core.createNamespacedConfigMap({
      namespace: 'crud',
      body: { metadata: { name: 'gone' } },
    });
    const status = await raw(server, '/api/v1/namespaces/crud/configmaps/gone', { method: 'DELETE' });
    expect(status.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: 'gone', kind: 'configmaps', uid: cm.metadata?.uid },
    });
    expect((await apiError(core.deleteNamespacedPod({ namespace: 'crud', name: 'gone' }))).code).toBe(404);
  });

  it('only marks an object with finalizers, and deletes it when the last finalizer is removed', async () => {
    await core.createNamespacedConfigMap({
      namespace: 'crud',
      body: { metadata: { name: 'fin', finalizers: ['example.com/hold'] } },
    });
    const marked = await raw(server, '/api/v1/namespaces/crud/configmaps/fin', { method: 'DELETE' });
    expect(marked.json()).toMatchObject({
      kind: 'ConfigMap',
      metadata: { name: 'fin', deletionTimestamp: expect.any(String) },
    });
    const current = await core.readNamespacedConfigMap({ namespace: 'crud', name: 'fin' });
    await core.replaceNamespacedConfigMap({
      namespace: 'crud',
      name: 'fin',
      body: { ...current, metadata: { ...current.metadata, finalizers: [] } },
    });
    expect((await apiError(core.readNamespacedConfigMap({ namespace: 'crud', name: 'fin' }))).code).toBe(404);
  });

  it('answers 409 when a delete precondition does not hold', async () => {
    await core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: 'pre' } } });
    const error = await apiError(
      core.deleteNamespacedConfigMap({
        namespace: 'crud',
        name: 'pre',
        body: { preconditions: { uid: 'other' } },
      }),
    );
    expect(error.code).toBe(409);
  });

  it('deletes a namespace with everything in it', async () => {
    server.create(ConfigMaps, { metadata: { name: 'a', namespace: 'doomed' } });
    server.create(Pods, { metadata: { name: 'b', namespace: 'doomed' }, spec: { containers: [] } });
    await core.deleteNamespace({ name: 'doomed' });
    expect(server.count(ConfigMaps, 'doomed') + server.count(Pods, 'doomed')).toBe(0);
    expect(server.find(Namespaces, 'doomed')).toBeUndefined();
  });

  it('deletes a collection by selector', async () => {
    for (const name of ['c1', 'c2', 'c3'])
      server.create(ConfigMaps, {
        metadata: { name, namespace: 'coll', labels: { drop: name === 'c3' ? 'no' : 'yes' } },
      });
    const res = await raw(server, '/api/v1/namespaces/coll/configmaps?labelSelector=drop%3Dyes', {
      method: 'DELETE',
    });
    expect(res.json<{ items: { metadata: { name: string } }[] }>().items.map((i) => i.metadata.name)).toEqual(
      ['c1', 'c2'],
    );
    expect(server.list(ConfigMaps, { namespace: 'coll' }).map((c) => c.metadata?.name)).toEqual(['c3']);
  });
});

describe('scope', () => {
  it('serves cluster-scoped resources only at cluster paths', async () => {
    await core.createNode({ body: { metadata: { name: 'node-a' } } });
    expect((await core.readNode({ name: 'node-a' })).metadata?.namespace).toBeUndefined();
    expect((await raw(server, '/api/v1/namespaces/default/nodes/node-a')).status).toBe(404);
    expect(server.get(Nodes, 'node-a').metadata?.name).toBe('node-a');
  });

  it('lists namespaced resources across namespaces at the cluster path, in namespace/name order', async () => {
    server.create(Deployments, {
      metadata: { name: 'z', namespace: 'order-a' },
      spec: { selector: {}, template: {} },
    });
    server.create(Deployments, {
      metadata: { name: 'a', namespace: 'order-b' },
      spec: { selector: {}, template: {} },
    });
    const all = await apps.listDeploymentForAllNamespaces();
    const keys = all.items.map((d) => `${d.metadata?.namespace}/${d.metadata?.name}`);
    expect(keys).toEqual([...keys].sort());
    expect(keys).toEqual(expect.arrayContaining(['order-a/z', 'order-b/a']));
  });
});
