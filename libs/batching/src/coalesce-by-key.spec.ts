import { objectKey, UserCodeError, type InformerEvent, type KubeObject } from '@rxinformer/core';
import { describe, expect, it } from 'vitest';
import { added, createScheduler, deleted, modified, pod, resync, synced } from '../test/fixtures.js';
import { coalesceByKey } from './coalesce-by-key.js';

type Case = [name: string, held: InformerEvent[], emitted: InformerEvent | undefined];

const cases: Case[] = [
  [
    'ADDED then MODIFIED: ADDED with the latest object',
    [added('p', '1', true), modified('p', '2', '1')],
    { type: 'ADDED', object: pod('p', '2'), initial: true },
  ],
  ['ADDED then DELETED: nothing', [added('p', '1'), deleted('p', '2')], undefined],
  [
    'ADDED, MODIFIED, DELETED: nothing',
    [added('p', '1'), modified('p', '2', '1'), deleted('p', '3')],
    undefined,
  ],
  [
    'MODIFIED then MODIFIED: the first previous, the last object',
    [modified('p', '2', '1'), modified('p', '3', '2')],
    { type: 'MODIFIED', object: pod('p', '3'), previous: pod('p', '1') },
  ],
  [
    'MODIFIED then DELETED: the DELETED',
    [modified('p', '2', '1'), deleted('p', '3', true)],
    deleted('p', '3', true),
  ],
  [
    'DELETED then ADDED: MODIFIED from the deleted object to the new one',
    [deleted('p', '2'), added('p', '3', false, 'uid-new')],
    { type: 'MODIFIED', object: pod('p', '3', 'uid-new'), previous: pod('p', '2') },
  ],
  [
    'ADDED, DELETED, ADDED: ADDED with the latest object',
    [added('p', '1'), deleted('p', '2'), added('p', '3')],
    added('p', '3'),
  ],
  ['RESYNC then RESYNC: the last RESYNC', [resync('p', '1'), resync('p', '1')], resync('p', '1')],
  [
    'RESYNC then MODIFIED: MODIFIED from the resynced state',
    [resync('p', '1'), modified('p', '2', '1')],
    { type: 'MODIFIED', object: pod('p', '2'), previous: pod('p', '1') },
  ],
  [
    'MODIFIED then RESYNC: still MODIFIED',
    [modified('p', '2', '1'), resync('p', '2')],
    { type: 'MODIFIED', object: pod('p', '2'), previous: pod('p', '1') },
  ],
];

describe('coalesceByKey', () => {
  it.each(cases)('%s', (_name, held, emitted) => {
    createScheduler().run(({ cold, expectObservable }) => {
      const values = Object.fromEntries(held.map((e, i) => [String.fromCharCode(97 + i), e]));
      const source = cold(`${Object.keys(values).join('')}------------|`, values);
      const at = '----------';
      const expected = emitted
        ? `${at}X${'-'.repeat(held.length + 1)}|`
        : `${at}-${'-'.repeat(held.length + 1)}|`;
      expectObservable(source.pipe(coalesceByKey({ window: 10 }))).toBe(expected, { X: emitted });
    });
  });

  it('emits one net event per object, in the order objects first appeared, window after window', () => {
    createScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const values = {
        a: added('p', '1'),
        b: added('q', '2'),
        c: modified('p', '3', '1'),
        d: deleted('q', '4'),
        e: modified('r', '5', '0'),
        f: modified('p', '6', '3'),
      };
      const source = hot('  -a-b-c-d-e-----f--------|', values);
      const subs = '        ^-----------------------!';
      const expected = '    -----------(XY)---------(Z|)';
      expectObservable(source.pipe(coalesceByKey({ window: 10 }))).toBe(expected, {
        X: { type: 'ADDED', object: pod('p', '3'), initial: false },
        Y: modified('r', '5', '0'),
        Z: modified('p', '6', '3'),
      });
      // q was added and deleted within the first window: nothing. `f` opens the next window at
      // frame 15, which the completion at 24 flushes.
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('flushes what is held before SYNCED, which is never held', () => {
    createScheduler().run(({ hot, expectObservable }) => {
      const values = {
        a: added('p', '1', true),
        m: modified('p', '2', '1'),
        d: deleted('p', '3'),
        x: added('q', '4', true),
        n: modified('q', '5', '4'),
        S: synced(1),
      };
      const source = hot('-a-m-d-x-n-S---|', values);
      expectObservable(source.pipe(coalesceByKey({ window: 20 }))).toBe('-----------(XS)|', {
        X: { type: 'ADDED', object: pod('q', '5'), initial: true },
        S: synced(1),
      });
    });
  });

  it('flushes on completion, flushes then forwards an error', () => {
    createScheduler().run(({ cold, expectObservable }) => {
      const values = { a: added('p', '1'), b: modified('p', '2', '1') };
      expectObservable(cold('a-b|', values).pipe(coalesceByKey({ window: 10 }))).toBe('---(X|)', {
        X: { type: 'ADDED', object: pod('p', '2'), initial: false },
      });
      expectObservable(cold('a-b#', values, new Error('403')).pipe(coalesceByKey({ window: 10 }))).toBe(
        '---(X#)',
        { X: { type: 'ADDED', object: pod('p', '2'), initial: false } },
        new Error('403'),
      );
    });
  });

  it('drops what is held and its timer on unsubscribe', () => {
    const scheduler = createScheduler();
    scheduler.run(({ hot, expectObservable, expectSubscriptions, flush }) => {
      const source = hot('-a-b--------|', { a: added('p', '1'), b: added('q', '1') });
      expectObservable(source.pipe(coalesceByKey({ window: 5, scheduler })), '----!').toBe('-----');
      expectSubscriptions(source.subscriptions).toBe('^---!');
      flush();
      expect(scheduler.actions).toEqual([]);
    });
  });

  it('uses a custom key', () => {
    createScheduler().run(({ cold, expectObservable }) => {
      const values = { a: added('p', '1', false, 'u1'), b: added('p', '2', false, 'u2') };
      const byUid = coalesceByKey({ window: 5, key: (o) => o.metadata?.uid ?? '' });
      // Same name, different uids: two objects, both kept.
      expectObservable(cold('ab-------|', values).pipe(byUid)).toBe('-----(ab)|', values);
    });
  });

  it('passes an event whose key throws or is not a string on at once, after what is held, and reports it', () => {
    createScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const reports: Array<[UserCodeError, number]> = [];
      const key = (o: KubeObject): string => {
        if (o.metadata?.name === 'bad') throw new Error('no uid');
        return o.metadata?.name === 'num' ? (7 as unknown as string) : objectKey(o);
      };
      const values = {
        a: added('p', '1'),
        b: added('bad', '1'),
        c: modified('p', '2', '1'),
        d: added('num', '1'),
        e: modified('q', '2', '1'),
      };
      const source = hot('  -a-b-c-d-e------|', values);
      const subs = '        ^---------------!';
      // b and d cannot be keyed: what is held is flushed first, so no event overtakes an older one.
      const expected = '    ---(ab)(cd)-----(e|)';
      const coalesced = coalesceByKey({ window: 10, key, onError: (e, n) => reports.push([e, n]) });
      expectObservable(source.pipe(coalesced)).toBe(expected, values);
      expectSubscriptions(source.subscriptions).toBe(subs);
      return () => {
        expect(
          reports.map(([e, n]) => [e instanceof UserCodeError, e.site, e.objectKey, e.source, n]),
        ).toEqual([
          [true, 'callback', 'shop/bad', 'coalesceByKey key', 1],
          [true, 'callback', 'shop/num', 'coalesceByKey key', 2],
        ]);
        expect(reports[0]?.[0].message).toBe(
          "the callback 'coalesceByKey key' threw on shop/bad: Error: no uid",
        );
        expect(reports[1]?.[0].cause).toEqual(new TypeError('returned number, not a string'));
      };
    });
  });

  it('rejects an unusable window', () => {
    expect(() => coalesceByKey({ window: -1 })).toThrow(RangeError);
    expect(() => coalesceByKey({ window: Infinity })).toThrow(RangeError);
  });
});
