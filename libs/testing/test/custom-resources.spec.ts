import {
  ApiException,
  ApiextensionsV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { defineResource, type KubeObject } from '@rxinformer/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKubeApiServer, type KubeApiServer } from '../src/index.js';
import { raw, watchWith } from './support.js';

interface Website extends KubeObject {
  spec?: { url: string };
}
const Websites = defineResource<Website>({
  group: 'example.com',
  version: 'v1',
  plural: 'websites',
  kind: 'Website',
  namespaced: true,
  shortNames: ['ws'],
});

let server: KubeApiServer;
beforeEach(async () => {
  server = await createKubeApiServer({ seed: 5 });
});
afterEach(() => server.close());

describe('custom resources from a descriptor', () => {
  it('serves CRUD through CustomObjectsApi with type meta on list items', async () => {
    server.register(Websites);
    const custom = server.kubeConfig.makeApiClient(CustomObjectsApi);
    const target = { group: 'example.com', version: 'v1', namespace: 'web', plural: 'websites' };
    const created = (await custom.createNamespacedCustomObject({
      ...target,
      body: { apiVersion: 'example.com/v1', kind: 'Website', metadata: { name: 'home' }, spec: { url: 'a' } },
    })) as Website;
    expect(created.metadata?.uid).toBeTruthy();
    const patched = (await custom.patchNamespacedCustomObject(
      { ...target, name: 'home', body: { spec: { url: 'b' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as Website;
    expect(patched.spec?.url).toBe('b');
    expect(patched.metadata?.generation).toBe(2);
    const list = (await custom.listNamespacedCustomObject(target)) as { kind: string; items: Website[] };
    expect(list.kind).toBe('WebsiteList');
    expect(list.items[0]).toMatchObject({
      apiVersion: 'example.com/v1',
      kind: 'Website',
      metadata: { name: 'home' },
    });
    expect(server.get(Websites, 'home', 'web').spec?.url).toBe('b');
    await custom.deleteNamespacedCustomObject({ ...target, name: 'home' });
    expect(server.find(Websites, 'home', 'web')).toBeUndefined();
  });

  it('refuses strategic merge patches for custom resources with 415, as the real server does', async () => {
    server.register(Websites);
    server.create(Websites, { metadata: { name: 'x', namespace: 'web' }, spec: { url: 'a' } });
    const res = await raw(server, '/apis/example.com/v1/namespaces/web/websites/x', {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/strategic-merge-patch+json' },
      body: '{"spec":{"url":"b"}}',
    });
    expect(res.status).toBe(415);
    expect(res.json()).toMatchObject({ reason: 'UnsupportedMediaType' });
  });
});

describe('custom resources from a CustomResourceDefinition object', () => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'gadgets.toys.example.com' },
    spec: {
      group: 'toys.example.com',
      scope: 'Cluster',
      names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', shortNames: ['gd'] },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          subresources: { status: {} },
        },
      ],
    },
  };

  it('serves the resource once the CRD is created through the API, with discovery and an Established condition', async () => {
    const ext = server.kubeConfig.makeApiClient(ApiextensionsV1Api);
    expect((await raw(server, '/apis/toys.example.com/v1/gadgets')).status).toBe(404);
    const created = await ext.createCustomResourceDefinition({ body: crd });
    expect(created.status?.conditions?.find((c) => c.type === 'Established')?.status).toBe('True');
    const discovery = (await raw(server, '/apis/toys.example.com/v1')).json<{
      resources: { name: string; namespaced: boolean; shortNames: string[] }[];
    }>();
    expect(discovery.resources).toEqual([
      expect.objectContaining({ name: 'gadgets', namespaced: false, shortNames: ['gd'] }),
      expect.objectContaining({ name: 'gadgets/status' }),
    ]);
    const custom = server.kubeConfig.makeApiClient(CustomObjectsApi);
    await custom.createClusterCustomObject({
      group: 'toys.example.com',
      version: 'v1',
      plural: 'gadgets',
      body: { apiVersion: 'toys.example.com/v1', kind: 'Gadget', metadata: { name: 'g1' } },
    });
    const got = (await custom.getClusterCustomObject({
      group: 'toys.example.com',
      version: 'v1',
      plural: 'gadgets',
      name: 'g1',
    })) as Website;
    expect(got.metadata?.name).toBe('g1');
  });

  it('stops serving and deletes the objects when the CRD is deleted, ending open watches', async () => {
    const ext = server.kubeConfig.makeApiClient(ApiextensionsV1Api);
    await ext.createCustomResourceDefinition({ body: crd });
    const custom = server.kubeConfig.makeApiClient(CustomObjectsApi);
    await custom.createClusterCustomObject({
      group: 'toys.example.com',
      version: 'v1',
      plural: 'gadgets',
      body: { apiVersion: 'toys.example.com/v1', kind: 'Gadget', metadata: { name: 'g1' } },
    });
    const watch = await watchWith(server, '/apis/toys.example.com/v1/gadgets', {
      resourceVersion: server.resourceVersion,
    });
    await ext.deleteCustomResourceDefinition({ name: crd.metadata.name });
    expect((await watch.next()).type).toBe('DELETED');
    expect(await watch.ended).toBeNull();
    const error = await custom
      .listClusterCustomObject({ group: 'toys.example.com', version: 'v1', plural: 'gadgets' })
      .catch((e: unknown) => e);
    expect((error as ApiException<unknown>).code).toBe(404);
  });
});
