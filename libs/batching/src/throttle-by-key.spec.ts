import { UserCodeError, type InformerEvent } from '@rxinformer/core';
import { describe, expect, it } from 'vitest';
import { eventKey } from './event-key.js';
import { added, createScheduler, deleted, modified, pod, synced } from '../test/fixtures.js';
import { QueueOverflowError } from './queue-overflow-error.js';
import { throttleByKey } from './throttle-by-key.js';

// rate: 100/s is one token every 10 frames, per key.
describe('throttleByKey', () => {
  it('limits each key on its own, coalescing its excess, and lets unkeyed values pass at once', () => {
    createScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const values = {
        p: added('p', '1'),
        q: added('q', '1'),
        P: modified('p', '2', '1'),
        R: modified('p', '3', '2'),
        Q: modified('q', '2', '1'),
        S: synced(2),
      };
      const source = hot('  pqPRQS 30ms |', values);
      const subs = '        ^ 35ms !';
      const expected = '    pq---S 4ms XY 24ms |';
      expectObservable(source.pipe(throttleByKey({ rate: 100, overflow: 'coalesce' }))).toBe(expected, {
        ...values,
        X: { type: 'MODIFIED', object: pod('p', '3'), previous: pod('p', '1') },
        Y: values.Q,
      });
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('cancels an ADDED and DELETED that both waited', () => {
    createScheduler().run(({ cold, expectObservable }) => {
      const values = { a: modified('p', '1', '0'), b: added('p', '2'), c: deleted('p', '3') };
      // b waits; it is merged with c into nothing, so only the first event passes.
      const merged = throttleByKey<InformerEvent>({
        rate: 100,
        overflow: 'coalesce',
        merge: (_w, next) => (next.type === 'DELETED' ? undefined : next),
      });
      expectObservable(cold('abc 20ms |', values).pipe(merged)).toBe('a 22ms |', values);
    });
  });

  it("queues per key with { kind: 'queue' } and fails when a key's queue is full", () => {
    createScheduler().run(({ cold, expectObservable }) => {
      const values = {
        a: added('p', '1'),
        b: modified('p', '2', '1'),
        c: modified('p', '3', '2'),
        q: added('q', '1'),
      };
      expectObservable(
        cold('abqc|', values).pipe(throttleByKey({ rate: 100, overflow: { kind: 'queue', max: 2 } })),
      ).toBe('a-q 7ms b 9ms (c|)', values);
      expectObservable(
        cold('abc|', values).pipe(throttleByKey({ rate: 100, overflow: { kind: 'queue', max: 1 } })),
      ).toBe('a-#', values, new QueueOverflowError('throttleByKey', 1));
    });
  });

  it("drops a key's excess with 'drop', counting it", () => {
    createScheduler().run(({ cold, expectObservable }) => {
      const drops: number[] = [];
      const values = { a: added('p', '1'), b: modified('p', '2', '1'), q: added('q', '1') };
      const limited = throttleByKey({ rate: 100, overflow: 'drop', onDrop: (n) => drops.push(n) });
      expectObservable(cold('abq 10ms b|', values).pipe(limited)).toBe('a-q 10ms b|', values);
      return () => expect(drops).toEqual([1]);
    });
  });

  it('uses a custom key; completion and errors wait for every key', () => {
    createScheduler().run(({ cold, expectObservable }) => {
      const byLetter = throttleByKey<string>({ rate: 100, overflow: 'coalesce', key: (v) => v[0] });
      const values = { a: 'a1', b: 'a2', c: 'b1' };
      expectObservable(cold('abc|', values).pipe(byLetter)).toBe('a-c 7ms (b|)', values);
      expectObservable(
        cold('xyx|').pipe(throttleByKey<string>({ rate: 100, overflow: 'coalesce', key: (v) => v })),
      ).toBe('xy 8ms (x|)');
      expectObservable(
        cold('xyx#', undefined, new Error('e')).pipe(
          throttleByKey<string>({ rate: 100, overflow: 'coalesce', key: (v) => v }),
        ),
      ).toBe('xy 8ms (x#)', undefined, new Error('e'));
    });
  });

  it('tears down every timer on unsubscribe', () => {
    const scheduler = createScheduler();
    scheduler.run(({ hot, expectObservable, expectSubscriptions, flush }) => {
      const source = hot('xyxy------|');
      const limited = throttleByKey<string>({ rate: 100, overflow: 'coalesce', key: (v) => v, scheduler });
      expectObservable(source.pipe(limited), '-----!').toBe('xy----');
      expectSubscriptions(source.subscriptions).toBe('^----!');
      flush();
      expect(scheduler.actions).toEqual([]);
    });
  });

  it('forgets idle keys: a key whose bucket refilled behaves like a new one', () => {
    createScheduler().run(({ cold, expectObservable }) => {
      const keys = Array.from({ length: 3000 }, (_, i) => `k${i}`);
      const limited = throttleByKey<string>({ rate: 100, overflow: 'drop', key: (v) => v });
      // 3000 distinct keys, then the first again long after: it passes at once.
      const values = Object.fromEntries(keys.map((k, i) => [String.fromCharCode(0x4e00 + i), k]));
      const marbles = `${Object.keys(values).join('')} 1s ${Object.keys(values)[0]}|`;
      expectObservable(cold(marbles, values).pipe(limited)).toBe(marbles, values);
    });
  });

  it('lets a value whose key throws or is not a string pass at once, as one without a key, and reports it', () => {
    createScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const reports: Array<[string | undefined, string | undefined, number]> = [];
      const key = (e: InformerEvent): string | undefined => {
        if (e.type !== 'SYNCED' && e.object.metadata?.name === 'x') throw new Error('boom');
        if (e.type !== 'SYNCED' && e.object.metadata?.name === 'n') return 0 as unknown as string;
        return eventKey(e);
      };
      const values = {
        a: added('p', '1'),
        b: modified('p', '2', '1'),
        x: added('x', '1'),
        n: added('n', '1'),
      };
      const source = hot('  abxn 20ms |', values);
      const subs = '        ^ 23ms !';
      const expected = '    a-xn 6ms b 13ms |';
      const limited = throttleByKey({
        rate: 100,
        overflow: 'coalesce',
        key,
        onError: (e, n) => reports.push([e.objectKey, e.source, n]),
      });
      expectObservable(source.pipe(limited)).toBe(expected, values);
      expectSubscriptions(source.subscriptions).toBe(subs);
      return () =>
        expect(reports).toEqual([
          ['shop/x', 'throttleByKey key', 1],
          ['shop/n', 'throttleByKey key', 2],
        ]);
    });
  });

  it('falls back to the net change when merge throws, and keeps going when onDrop throws', () => {
    createScheduler().run(({ cold, expectObservable }) => {
      const reports: UserCodeError[] = [];
      const values = {
        a: added('p', '1'),
        b: modified('p', '2', '1'),
        c: modified('p', '3', '2'),
        q: added('q', '1'),
      };
      const merging = throttleByKey<InformerEvent>({
        rate: 100,
        overflow: 'coalesce',
        merge: () => {
          throw new Error('merge broke');
        },
        onError: (e) => reports.push(e),
      });
      expectObservable(cold('abc|', values).pipe(merging)).toBe('a 9ms (X|)', {
        a: values.a,
        X: { type: 'MODIFIED', object: pod('p', '3'), previous: pod('p', '1') },
      });
      const dropping = throttleByKey<InformerEvent>({
        rate: 100,
        overflow: 'drop',
        onDrop: () => {
          throw new Error('onDrop broke');
        },
        onError: (e) => reports.push(e),
      });
      expectObservable(cold('abq|', values).pipe(dropping)).toBe('a-q|', values);
      return () =>
        expect(reports.map((e) => [e.source, e.objectKey, (e.cause as Error).message])).toEqual([
          ['throttleByKey merge', 'shop/p', 'merge broke'],
          ['throttleByKey onDrop', 'shop/p', 'onDrop broke'],
        ]);
    });
  });

  it('rejects unusable options', () => {
    expect(() => throttleByKey({ rate: -1, overflow: 'drop' })).toThrow(RangeError);
    expect(() => throttleByKey({ rate: 1, overflow: { kind: 'queue', max: 1.5 } })).toThrow(RangeError);
  });
});
