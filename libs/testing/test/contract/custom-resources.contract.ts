import { describe, expect, it } from 'vitest';
import { create, freshNamespace, statusShape, type ContractTarget, type Json } from './target.js';

const GROUP = 'contract.rxinformer.dev';

async function establishedCrd(t: ContractTarget): Promise<void> {
  const name = `gadgets.${GROUP}`;
  const existing = await t.request('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
  if (existing.status === 404) {
    await create(t, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name },
      spec: {
        group: GROUP,
        scope: 'Namespaced',
        names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', listKind: 'GadgetList' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        ],
      },
    });
  }
  // Establishing is asynchronous on a real server (immediate on the simulator): poll, bounded.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const crd = (
      await t.request('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`)
    ).json();
    const established = (crd['status']?.conditions as Json[] | undefined)?.some(
      (c) => c['type'] === 'Established' && c['status'] === 'True',
    );
    const served = (await t.request('GET', `/apis/${GROUP}/v1`)).status === 200;
    if (established && served) return;
    if (Date.now() > deadline)
      throw new Error(`CRD ${name} not established within 30 s: ${JSON.stringify(crd['status'])}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Custom resources: discovery, list items with type meta, generation, patch types. */
export function customResourcesContract(target: () => ContractTarget): void {
  describe('custom resources', () => {
    it('serves a CRD once Established: discovery, typed list items, generation, no strategic merge', async () => {
      const t = target();
      await establishedCrd(t);
      const discovery = (await t.request('GET', `/apis/${GROUP}/v1`)).json();
      expect((discovery['resources'] as Json[]).find((r) => r['name'] === 'gadgets')).toMatchObject({
        singularName: 'gadget',
        namespaced: true,
        kind: 'Gadget',
      });
      const ns = await freshNamespace(t, 'ct-cr');
      const path = `/apis/${GROUP}/v1/namespaces/${ns}/gadgets`;
      const created = await create(t, path, {
        apiVersion: `${GROUP}/v1`,
        kind: 'Gadget',
        metadata: { name: 'g' },
        spec: { size: 1 },
      });
      expect(created['metadata'].generation).toBe(1);

      const list = (await t.request('GET', path)).json();
      expect(list).toMatchObject({ kind: 'GadgetList', apiVersion: `${GROUP}/v1` });
      expect(list['items'][0]).toMatchObject({
        apiVersion: `${GROUP}/v1`,
        kind: 'Gadget',
        metadata: { name: 'g' },
        spec: { size: 1 },
      });

      const merge = { 'Content-Type': 'application/merge-patch+json' };
      const labelled = (
        await t.request('PATCH', `${path}/g`, { body: { metadata: { labels: { a: 'b' } } }, headers: merge })
      ).json();
      expect(labelled['metadata'].generation).toBe(1);
      const resized = (
        await t.request('PATCH', `${path}/g`, { body: { spec: { size: 2 } }, headers: merge })
      ).json();
      expect(resized['metadata'].generation).toBe(2);

      const strategic = await t.request('PATCH', `${path}/g`, {
        body: { spec: { size: 3 } },
        headers: { 'Content-Type': 'application/strategic-merge-patch+json' },
      });
      expect(strategic.status).toBe(415);
      expect(statusShape(strategic.json())).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason: 'UnsupportedMediaType',
        code: 415,
      });

      const badField = await t.request('GET', path, { query: { fieldSelector: 'spec.size=1' } });
      expect(badField.status).toBe(400);
      expect(badField.json()['message']).toBe('field label not supported: spec.size');
    });
  });
}
