import { describe, expect, it } from 'vitest';
import { configMap, create, freshNamespace, statusShape, type ContractTarget, type Json } from './target.js';

const names = (list: Json) => (list['items'] as Json[]).map((i) => i['metadata'].name as string);

/** LIST: shape, pagination, label and field selectors, selector errors. */
export function listContract(target: () => ContractTarget): void {
  describe('list', () => {
    it('returns a typed list whose built-in items carry no type meta', async () => {
      const t = target();
      const ns = await freshNamespace(t, 'ct-list');
      const created = await create(
        t,
        `/api/v1/namespaces/${ns}/configmaps`,
        configMap('a', { app: 'web' }, { k: 'v' }),
      );
      const res = await t.request('GET', `/api/v1/namespaces/${ns}/configmaps`);
      expect(res.status).toBe(200);
      const list = res.json();
      expect(list['kind']).toBe('ConfigMapList');
      expect(list['apiVersion']).toBe('v1');
      expect(typeof list['metadata'].resourceVersion).toBe('string');
      expect(list['metadata'].continue).toBeUndefined();
      expect(list['items']).toHaveLength(1);
      const item = list['items'][0] as Json;
      expect(item['kind']).toBeUndefined();
      expect(item['apiVersion']).toBeUndefined();
      expect(item['metadata']).toMatchObject({
        name: 'a',
        namespace: ns,
        uid: created['metadata'].uid,
        resourceVersion: created['metadata'].resourceVersion,
      });
      expect(item['data']).toEqual({ k: 'v' });
      // ConfigMaps have no spec, so no generation (unlike Deployments and custom resources).
      expect(item['metadata'].generation).toBeUndefined();
    });

    it('pages with limit and continue over one consistent snapshot, with remainingItemCount', async () => {
      const t = target();
      const ns = await freshNamespace(t, 'ct-page');
      const path = `/api/v1/namespaces/${ns}/configmaps`;
      for (const name of ['c1', 'c2', 'c3', 'c4', 'c5']) await create(t, path, configMap(name));
      const first = (await t.request('GET', path, { query: { limit: 2 } })).json();
      expect(names(first)).toEqual(['c1', 'c2']);
      expect(first['metadata'].continue).toEqual(expect.any(String));
      expect(first['metadata'].remainingItemCount).toBe(3);
      // Written after the first page: not part of the snapshot the continue token reads.
      await create(t, path, configMap('c0'));
      await t.request('DELETE', `${path}/c4`);
      const second = (
        await t.request('GET', path, { query: { limit: 2, continue: first['metadata'].continue } })
      ).json();
      expect(names(second)).toEqual(['c3', 'c4']);
      expect(second['metadata'].resourceVersion).toBe(first['metadata'].resourceVersion);
      expect(second['metadata'].remainingItemCount).toBe(1);
      const third = (
        await t.request('GET', path, { query: { limit: 2, continue: second['metadata'].continue } })
      ).json();
      expect(names(third)).toEqual(['c5']);
      expect(third['metadata'].continue).toBeUndefined();
      expect(third['metadata'].remainingItemCount).toBeUndefined();
      const now = (await t.request('GET', path)).json();
      expect(names(now)).toEqual(['c0', 'c1', 'c2', 'c3', 'c5']);
    });

    it('serves resourceVersion=0 from the watch cache in one page, ignoring limit', async () => {
      const t = target();
      const ns = await freshNamespace(t, 'ct-rv0');
      const path = `/api/v1/namespaces/${ns}/configmaps`;
      for (const name of ['c1', 'c2', 'c3']) await create(t, path, configMap(name));
      const list = (await t.request('GET', path, { query: { limit: 2, resourceVersion: '0' } })).json();
      expect(names(list).sort()).toEqual(['c1', 'c2', 'c3']);
      expect(list['metadata'].continue).toBeUndefined();
    });

    it('filters by label selector (=, !=, in, notin, exists, !exists) and field selector', async () => {
      const t = target();
      const ns = await freshNamespace(t, 'ct-sel');
      const path = `/api/v1/namespaces/${ns}/configmaps`;
      await create(t, path, configMap('web-1', { app: 'web', tier: 'front' }));
      await create(t, path, configMap('web-2', { app: 'web' }));
      await create(t, path, configMap('db-1', { app: 'db' }));
      await create(t, path, configMap('plain'));
      const select = async (query: Record<string, string>) =>
        names((await t.request('GET', path, { query })).json());
      expect(await select({ labelSelector: 'app=web' })).toEqual(['web-1', 'web-2']);
      expect(await select({ labelSelector: 'app!=web' })).toEqual(['db-1', 'plain']);
      expect(await select({ labelSelector: 'app in (db,web),tier' })).toEqual(['web-1']);
      expect(await select({ labelSelector: 'app notin (web)' })).toEqual(['db-1', 'plain']);
      expect(await select({ labelSelector: '!app' })).toEqual(['plain']);
      expect(await select({ fieldSelector: 'metadata.name=db-1' })).toEqual(['db-1']);
      expect(await select({ fieldSelector: 'metadata.name!=db-1', labelSelector: 'app' })).toEqual([
        'web-1',
        'web-2',
      ]);
      expect(
        await select({ fieldSelector: `metadata.namespace=${ns}`, labelSelector: 'tier=front' }),
      ).toEqual(['web-1']);
    });

    it('answers an invalid selector with a 400 BadRequest Status', async () => {
      const t = target();
      const ns = await freshNamespace(t, 'ct-badsel');
      const path = `/api/v1/namespaces/${ns}/configmaps`;
      const badLabel = await t.request('GET', path, { query: { labelSelector: 'app in (' } });
      expect(badLabel.status).toBe(400);
      expect(statusShape(badLabel.json())).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason: 'BadRequest',
        code: 400,
      });
      expect(badLabel.json()['message']).toBe(
        "unable to parse requirement: found '', expected: ',', ')' or identifier",
      );
      const unclosed = await t.request('GET', path, { query: { labelSelector: 'app in (x y)' } });
      expect(unclosed.json()['message']).toBe("unable to parse requirement: found 'y', expected: ',' or ')'");
      // Not an error: `()` is the set holding only the empty value.
      await create(t, path, configMap('labelled', { app: 'web' }));
      expect(
        (await t.request('GET', path, { query: { labelSelector: 'app in ()' } })).json()['items'],
      ).toEqual([]);
      expect(
        names((await t.request('GET', path, { query: { labelSelector: 'app notin ()' } })).json()),
      ).toEqual(['labelled']);
      const badField = await t.request('GET', path, { query: { fieldSelector: 'spec.foo=bar' } });
      expect(badField.status).toBe(400);
      expect(statusShape(badField.json())).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason: 'BadRequest',
        code: 400,
      });
      expect(badField.json()['message']).toBe(
        '"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"',
      );
      const podField = await t.request('GET', `/api/v1/namespaces/${ns}/pods`, {
        query: { fieldSelector: 'spec.foo=bar' },
      });
      expect(podField.json()['message']).toBe('field label not supported: spec.foo');
      // As apimachinery parses them: terms sorted (the first bad one in that order is named),
      // a malformed term refused before any field is checked, empty terms skipped.
      const twoUnsupported = await t.request('GET', `/api/v1/namespaces/${ns}/pods`, {
        query: { fieldSelector: 'spec.z=1,spec.a=1' },
      });
      expect(twoUnsupported.json()['message']).toBe('field label not supported: spec.a');
      const malformed = await t.request('GET', path, { query: { fieldSelector: 'spec.foo=bar,justaword' } });
      expect(malformed.json()['message']).toBe(
        "invalid selector: 'spec.foo=bar,justaword'; can't understand 'justaword'",
      );
      const trailingComma = await t.request('GET', path, {
        query: { fieldSelector: 'metadata.name=labelled,' },
      });
      expect(names(trailingComma.json())).toEqual(['labelled']);
      const watch = await t.request('GET', path, { query: { watch: 1, labelSelector: 'a b' } });
      expect(watch.status).toBe(400);
      expect(statusShape(watch.json())['reason']).toBe('BadRequest');
    });
  });
}
