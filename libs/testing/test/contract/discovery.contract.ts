import { describe, expect, it } from 'vitest';
import { configMap, create, freshNamespace, type ContractTarget, type Json } from './target.js';

const META_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
const META = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';
const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** Discovery documents and metadata-only (PartialObjectMetadata) reads. */
export function discoveryContract(target: () => ContractTarget): void {
  describe('discovery', () => {
    it('lists the core version and the API groups with their preferred versions', async () => {
      const t = target();
      const api = (await t.request('GET', '/api')).json();
      expect(api['kind']).toBe('APIVersions');
      expect(api['versions']).toEqual(['v1']);
      const apis = (await t.request('GET', '/apis')).json();
      expect(apis).toMatchObject({ kind: 'APIGroupList', apiVersion: 'v1' });
      const apps = (apis['groups'] as Json[]).find((g) => g['name'] === 'apps');
      expect(apps).toEqual({
        name: 'apps',
        versions: [{ groupVersion: 'apps/v1', version: 'v1' }],
        preferredVersion: { groupVersion: 'apps/v1', version: 'v1' },
      });
      expect((apis['groups'] as Json[]).map((g) => g['name'])).toEqual(
        expect.arrayContaining(['apps', 'batch', 'apiextensions.k8s.io', 'coordination.k8s.io']),
      );
    });

    it('describes pods, configmaps and deployments: namespaced, kind, verbs, short names', async () => {
      const t = target();
      const core = (await t.request('GET', '/api/v1')).json();
      expect(core).toMatchObject({ kind: 'APIResourceList', groupVersion: 'v1' });
      const find = (list: Json, name: string) =>
        (list['resources'] as Json[]).find((r) => r['name'] === name);
      const pick = (r: Json | undefined) =>
        r && {
          name: r['name'],
          singularName: r['singularName'],
          namespaced: r['namespaced'],
          kind: r['kind'],
          verbs: [...(r['verbs'] as string[])].sort(),
          shortNames: r['shortNames'],
        };
      expect(pick(find(core, 'pods'))).toEqual({
        name: 'pods',
        singularName: 'pod',
        namespaced: true,
        kind: 'Pod',
        verbs: ALL_VERBS,
        shortNames: ['po'],
      });
      expect(pick(find(core, 'configmaps'))).toEqual({
        name: 'configmaps',
        singularName: 'configmap',
        namespaced: true,
        kind: 'ConfigMap',
        verbs: ALL_VERBS,
        shortNames: ['cm'],
      });
      expect(find(core, 'namespaces')).toMatchObject({ namespaced: false, kind: 'Namespace' });
      expect(find(core, 'pods/status')).toMatchObject({
        namespaced: true,
        kind: 'Pod',
        verbs: ['get', 'patch', 'update'],
      });
      const apps = (await t.request('GET', '/apis/apps/v1')).json();
      expect(apps).toMatchObject({ kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'apps/v1' });
      expect(pick(find(apps, 'deployments'))).toEqual({
        name: 'deployments',
        singularName: 'deployment',
        namespaced: true,
        kind: 'Deployment',
        verbs: ALL_VERBS,
        shortNames: ['deploy'],
      });
    });
  });

  describe('metadata only', () => {
    it('lists PartialObjectMetadataList and watches PartialObjectMetadata, without data', async () => {
      const t = target();
      const ns = await freshNamespace(t, 'ct-meta');
      const path = `/api/v1/namespaces/${ns}/configmaps`;
      const created = await create(t, path, configMap('m', { app: 'web' }, { secretish: 'value' }));
      const res = await t.request('GET', path, { headers: { Accept: META_LIST } });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const list = res.json();
      expect(list).toMatchObject({
        kind: 'PartialObjectMetadataList',
        apiVersion: 'meta.k8s.io/v1',
        metadata: { resourceVersion: expect.any(String) },
      });
      expect(list['items']).toHaveLength(1);
      const item = list['items'][0] as Json;
      expect(Object.keys(item).sort()).toEqual(['apiVersion', 'kind', 'metadata']);
      expect(item).toMatchObject({
        kind: 'PartialObjectMetadata',
        apiVersion: 'meta.k8s.io/v1',
        metadata: { name: 'm', labels: { app: 'web' }, uid: created['metadata'].uid },
      });

      const stream = await t.stream(path, {
        query: { watch: 1, resourceVersion: list['metadata'].resourceVersion },
        headers: { Accept: META },
      });
      try {
        await t.request('PATCH', `${path}/m`, {
          body: { data: { more: 'x' } },
          headers: { 'Content-Type': 'application/merge-patch+json' },
        });
        let event = await stream.next();
        while (event?.['type'] === 'BOOKMARK') event = await stream.next();
        expect(event?.['type']).toBe('MODIFIED');
        expect(Object.keys(event?.['object'] ?? {}).sort()).toEqual(['apiVersion', 'kind', 'metadata']);
        expect(event?.['object']).toMatchObject({
          kind: 'PartialObjectMetadata',
          apiVersion: 'meta.k8s.io/v1',
          metadata: { name: 'm' },
        });
      } finally {
        stream.close();
      }
      const one = (await t.request('GET', `${path}/m`, { headers: { Accept: META } })).json();
      expect(one).toMatchObject({
        kind: 'PartialObjectMetadata',
        apiVersion: 'meta.k8s.io/v1',
        metadata: { name: 'm' },
      });
      expect(one['data']).toBeUndefined();
    });
  });
}
