import type { V1Pod } from '@kubernetes/client-node';
import type { InformerEvent, Wire } from '@rxinformer/core';
import { merge } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { batchRowChanges, toRowChanges } from './row-changes.js';
import { podTable } from './rows.js';

type Pod = Wire<V1Pod>;
const pod = (name: string, restarts: number): Pod => ({
  metadata: { name, namespace: 'shop', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { containers: [{ name: 'web' }] },
  status: {
    phase: 'Running',
    containerStatuses: [{ name: 'web', ready: true, restartCount: restarts, image: 'x', imageID: 'x' }],
  },
});
const added = (p: Pod): InformerEvent<Pod> => ({ type: 'ADDED', object: p, initial: false });
const modified = (p: Pod, previous: Pod): InformerEvent<Pod> => ({ type: 'MODIFIED', object: p, previous });
const deleted = (p: Pod): InformerEvent<Pod> => ({ type: 'DELETED', object: p, finalStateUnknown: false });

const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('toRowChanges + batchRowChanges', () => {
  it('sends one message per window with the net change of each object', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const a1 = pod('a', 1);
      const a2 = pod('a', 2);
      const a3 = pod('a', 3);
      const b = pod('b', 0);
      const c = pod('c', 0);
      // a: created then updated twice -> one row with 3 restarts; b: created and deleted -> nothing; c deleted.
      const events = cold<InformerEvent<Pod>>('a-m-n-b-d-x 100ms |', {
        a: added(a1),
        m: modified(a2, a1),
        n: modified(a3, a2),
        b: added(b),
        d: deleted(b),
        x: deleted(c),
      });
      const changes = events.pipe(
        toRowChanges('pods', podTable, { window: 20 }),
        batchRowChanges({ window: 20 }),
      );
      expectObservable(changes).toBe('40ms x 70ms |', {
        x: [
          { resource: 'pods', key: 'shop/a', row: podTable.toRow(a3) },
          { resource: 'pods', key: 'shop/c', row: null },
        ],
      });
    });
  });

  it('sends nothing for an update the table does not show', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const before = pod('a', 1);
      const after = { ...before, metadata: { ...before.metadata, annotations: { touched: 'yes' } } };
      const events = cold<InformerEvent<Pod>>('m 50ms |', { m: modified(after, before) });
      expectObservable(
        events.pipe(toRowChanges('pods', podTable, { window: 20 }), batchRowChanges({ window: 20 })),
      ).toBe('51ms |');
    });
  });

  it('keeps a busy stream to one message per window however many events arrive', () => {
    scheduler().run(({ cold, expectObservable }) => {
      // 200 updates of two pods within 100 ms: one message per 20-ms window, one row per pod in each.
      const burst = (prefix: string) =>
        cold<InformerEvent<Pod>>(`${'u'.repeat(100)}|`, { u: modified(pod(prefix, 1), pod(prefix, 0)) }).pipe(
          toRowChanges('pods', podTable, { window: 20 }),
        );
      const changes = merge(burst('a'), burst('b')).pipe(batchRowChanges({ window: 20 }));
      const x = [
        { resource: 'pods', key: 'shop/a', row: podTable.toRow(pod('a', 1)) },
        { resource: 'pods', key: 'shop/b', row: podTable.toRow(pod('b', 1)) },
      ];
      // The last batch also holds what completion flushed from the next coalescing window.
      expectObservable(changes).toBe('40ms x 20ms x 20ms x 17ms (y|)', { x, y: [...x, ...x] });
    });
  });
});
