import { describe, expect, it } from 'vitest';
import {
  configMap,
  create,
  freshNamespace,
  statusShape,
  type ContractTarget,
  type Json,
  type LineStream,
} from './target.js';

const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';

async function next(stream: LineStream): Promise<Json> {
  const event = await stream.next();
  if (event === undefined) throw new Error('the watch ended');
  return event;
}

/** Reads events, skipping periodic bookmarks, until one that is not a BOOKMARK. */
async function nextChange(stream: LineStream): Promise<Json> {
  for (;;) {
    const event = await next(stream);
    if (event['type'] !== 'BOOKMARK') return event;
  }
}

/** WATCH: event shapes, initial events and their bookmark, selector exits, 410 after compaction. */
export function watchContract(target: () => ContractTarget): void {
  describe('watch', () => {
    it('streams ADDED, MODIFIED and DELETED as typed objects from a resourceVersion', async () => {
      const t = target();
      const ns = await freshNamespace(t, 'ct-watch');
      const path = `/api/v1/namespaces/${ns}/configmaps`;
      await create(t, path, configMap('before'));
      const rv = (await t.request('GET', path)).json()['metadata'].resourceVersion as string;
      const stream = await t.stream(path, { query: { watch: 1, resourceVersion: rv } });
      try {
        expect(stream.status).toBe(200);
        const created = await create(t, path, configMap('a', {}, { v: '1' }));
        const updated = await t.request('PUT', `${path}/a`, { body: { ...created, data: { v: '2' } } });
        expect(updated.status).toBe(200);
        const deleted = await t.request('DELETE', `${path}/a`);
        expect(deleted.status).toBe(200);
        const events = [await nextChange(stream), await nextChange(stream), await nextChange(stream)];
        expect(events.map((e) => e['type'])).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
        for (const e of events) {
          expect(Object.keys(e).sort()).toEqual(['object', 'type']);
          expect(e['object']).toMatchObject({
            kind: 'ConfigMap',
            apiVersion: 'v1',
            metadata: { name: 'a', namespace: ns, uid: created['metadata'].uid },
          });
        }
        expect(events[0]!['object'].metadata.resourceVersion).toBe(created['metadata'].resourceVersion);
        expect(events[1]!['object'].metadata.resourceVersion).toBe(
          updated.json()['metadata'].resourceVersion,
        );
        expect(events[1]!['object'].data).toEqual({ v: '2' });
        // The final state carries the deletion's own resourceVersion, newer than the last update.
        const rvs = events.map((e) => e['object'].metadata.resourceVersion as string);
        expect(new Set(rvs).size).toBe(3);
        expect(events[2]!['object'].data).toEqual({ v: '2' });
      } finally {
        stream.close();
      }
    });

    it('starts a watch from resourceVersion 0 with ADDED for every current object', async () => {
      const t = target();
      const ns = await freshNamespace(t, 'ct-watch0');
      const path = `/api/v1/namespaces/${ns}/configmaps`;
      const a = await create(t, path, configMap('a'));
      await create(t, path, configMap('b'));
      const stream = await t.stream(path, { query: { watch: 1, resourceVersion: '0' } });
      try {
        const events = [await nextChange(stream), await nextChange(stream)];
        expect(events.map((e) => `${e['type']} ${e['object'].metadata.name}`).sort()).toEqual([
          'ADDED a',
          'ADDED b',
        ]);
        expect(
          events.find((e) => e['object'].metadata.name === 'a')?.['object'].metadata.resourceVersion,
        ).toBe(a['metadata'].resourceVersion);
        await t.request('DELETE', `${path}/a`);
        expect(`${(await nextChange(stream))['type']}`).toBe('DELETED');
      } finally {
        stream.close();
      }
    });

    it('sends the current objects then a bookmark annotated initial-events-end for sendInitialEvents', async () => {
      const t = target();
      const ns = await freshNamespace(t, 'ct-initial');
      const path = `/api/v1/namespaces/${ns}/configmaps`;
      await create(t, path, configMap('x'));
      await create(t, path, configMap('y'));
      const stream = await t.stream(path, {
        query: {
          watch: 1,
          sendInitialEvents: true,
          resourceVersionMatch: 'NotOlderThan',
          allowWatchBookmarks: true,
        },
      });
      try {
        expect(stream.status).toBe(200);
        const added = [await next(stream), await next(stream)];
        expect(added.map((e) => `${e['type']} ${e['object'].metadata.name}`).sort()).toEqual([
          'ADDED x',
          'ADDED y',
        ]);
        const bookmark = await next(stream);
        expect(bookmark['type']).toBe('BOOKMARK');
        expect(bookmark['object']).toEqual({
          kind: 'ConfigMap',
          apiVersion: 'v1',
          metadata: { resourceVersion: expect.any(String), annotations: { [INITIAL_EVENTS_END]: 'true' } },
        });
        // The bookmark's resourceVersion is a valid point to resume from: only later changes follow.
        const from = bookmark['object'].metadata.resourceVersion as string;
        await create(t, path, configMap('z'));
        const resumed = await t.stream(path, {
          query: { watch: 1, resourceVersion: from, allowWatchBookmarks: true },
        });
        try {
          const event = await nextChange(resumed);
          expect(`${event['type']} ${event['object'].metadata.name}`).toBe('ADDED z');
        } finally {
          resumed.close();
        }
      } finally {
        stream.close();
      }
    });

    it('sends a bookmark carrying only a resourceVersion before a watch times out, then ends cleanly', async () => {
      const t = target();
      const ns = await freshNamespace(t, 'ct-bookmark');
      const path = `/api/v1/namespaces/${ns}/configmaps`;
      const created = await create(t, path, configMap('a'));
      // kube-apiserver sends one 2 s before the deadline; the simulator runner's bookmark period is short.
      const stream = await t.stream(path, {
        query: {
          watch: 1,
          resourceVersion: created['metadata'].resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds: 4,
        },
      });
      try {
        // A write elsewhere moves the resourceVersion: kube-apiserver sends no bookmark without news.
        await create(
          t,
          `/api/v1/namespaces/${await freshNamespace(t, 'ct-elsewhere')}/configmaps`,
          configMap('elsewhere'),
        );
        const bookmark = await next(stream);
        expect(bookmark).toEqual({
          type: 'BOOKMARK',
          object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: expect.any(String) } },
        });
        // A bookmark never goes back in time (resourceVersions are opaque: compare only through a watch).
        const resumed = await t.stream(path, {
          query: { watch: 1, resourceVersion: bookmark['object'].metadata.resourceVersion },
        });
        try {
          await t.request('DELETE', `${path}/a`);
          expect((await nextChange(resumed))['type']).toBe('DELETED');
        } finally {
          resumed.close();
        }
        let event: Json | undefined;
        while ((event = await stream.next(10_000)) !== undefined)
          expect(event['type']).toMatch(/^(BOOKMARK|DELETED)$/);
      } finally {
        stream.close();
      }
    });

    it('refuses sendInitialEvents without resourceVersionMatch=NotOlderThan with a 422 Invalid Status', async () => {
      const t = target();
      const res = await t.request('GET', '/api/v1/configmaps', {
        query: { watch: 1, sendInitialEvents: true },
      });
      expect(res.status).toBe(422);
      const status = res.json();
      expect(statusShape(status)).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason: 'Invalid',
        code: 422,
        details: { kind: 'ListOptions', group: 'meta.k8s.io' },
      });
      expect(status['details'].causes).toEqual([
        {
          reason: 'FieldValueForbidden',
          message: 'Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
          field: 'resourceVersionMatch',
        },
      ]);
    });

    it('sends DELETED when an object stops matching the label selector of a watch', async () => {
      const t = target();
      const ns = await freshNamespace(t, 'ct-exit');
      const path = `/api/v1/namespaces/${ns}/configmaps`;
      const created = await create(t, path, configMap('m', { app: 'web' }));
      const stream = await t.stream(path, {
        query: { watch: 1, labelSelector: 'app=web', resourceVersion: created['metadata'].resourceVersion },
      });
      try {
        const patched = await t.request('PATCH', `${path}/m`, {
          body: { metadata: { labels: { app: 'db' } } },
          headers: { 'Content-Type': 'application/merge-patch+json' },
        });
        expect(patched.status).toBe(200);
        const event = await nextChange(stream);
        // The previous content (it matched), at the resourceVersion of the change that made it leave.
        expect(event['type']).toBe('DELETED');
        expect(event['object'].metadata.labels).toEqual({ app: 'web' });
        expect(event['object'].metadata.resourceVersion).toBe(patched.json()['metadata'].resourceVersion);
      } finally {
        stream.close();
      }
    });

    it('answers a too-old resourceVersion with a 410 Expired: an ERROR event on a watch, a Status on an Exact list', async () => {
      const t = target();
      const ns = await freshNamespace(t, 'ct-expired');
      const path = `/api/v1/namespaces/${ns}/configmaps`;
      const old = await create(t, path, configMap('old'));
      const oldRv = old['metadata'].resourceVersion as string;
      await t.request('PATCH', `${path}/old`, {
        body: { data: { a: 'b' } },
        headers: { 'Content-Type': 'application/merge-patch+json' },
      });
      await create(t, path, configMap('other'));
      const page = (await t.request('GET', path, { query: { limit: 1 } })).json();
      expect(page['metadata'].continue).toEqual(expect.any(String));
      await create(t, path, configMap('zz-later')); // the snapshot of `page` is now history
      await t.expire();
      await create(t, path, configMap('new'));
      const stream = await t.stream(path, {
        query: { watch: 1, resourceVersion: oldRv, allowWatchBookmarks: true },
      });
      try {
        expect(stream.status).toBe(200);
        const error = await next(stream);
        expect(error['type']).toBe('ERROR');
        expect(statusShape(error['object'])).toEqual({
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'Expired',
          code: 410,
        });
        expect(error['object'].message).toMatch(/^too old resource version: \d+ \(\d+\)$/);
        expect(await stream.next()).toBeUndefined();
      } finally {
        stream.close();
      }
      const list = await t.request('GET', path, {
        query: { resourceVersion: oldRv, resourceVersionMatch: 'Exact' },
      });
      expect(list.status).toBe(410);
      expect(statusShape(list.json())).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason: 'Expired',
        code: 410,
      });
      // A continue token of a compacted snapshot is expired too; the answer carries a token that
      // continues inconsistently (from the current state).
      const cont = await t.request('GET', path, { query: { limit: 1, continue: page['metadata'].continue } });
      expect(cont.status).toBe(410);
      expect(statusShape(cont.json())).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason: 'Expired',
        code: 410,
      });
      expect(cont.json()['message']).toMatch(
        /^The provided continue parameter is too old to display a consistent list result\./,
      );
      const inconsistent = cont.json()['metadata'].continue as string;
      expect(inconsistent).toEqual(expect.any(String));
      const rest = (await t.request('GET', path, { query: { continue: inconsistent } })).json();
      expect(rest['items'].map((i: Json) => i['metadata'].name)).toEqual(['other', 'zz-later']);
      // A fresh consistent list still works after compaction.
      const fresh = await t.request('GET', path);
      expect(fresh.json()['items'].map((i: Json) => i['metadata'].name)).toEqual([
        'new',
        'old',
        'other',
        'zz-later',
      ]);
    });
  });
}
