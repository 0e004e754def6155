import { UserCodeError, type InformerEvent } from '@rxinformer/core';
import { describe, expect, it } from 'vitest';
import { eventKey } from './event-key.js';
import { added, createScheduler, modified, pod, synced } from '../test/fixtures.js';
import { QueueOverflowError } from './queue-overflow-error.js';
import { rateLimit } from './rate-limit.js';

// rate: 100/s is one token every 10 frames.
describe('rateLimit', () => {
  it('queues values over the limit and releases them in order as tokens come back', () => {
    const scheduler = createScheduler();
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('  -abc 20ms d 50ms |');
      const subs = '        ^ 74ms !';
      const expected = '    -a 9ms b 9ms c 9ms d 43ms |';
      expectObservable(
        source.pipe(rateLimit({ rate: 100, overflow: { kind: 'queue', max: 10 }, scheduler })),
      ).toBe(expected);
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('lets a burst through at once, then paces', () => {
    createScheduler().run(({ cold, expectObservable }) => {
      expectObservable(
        cold('abcde 1s |').pipe(rateLimit({ rate: 100, burst: 3, overflow: { kind: 'queue', max: 10 } })),
      ).toBe('abc 7ms d 9ms e 984ms |');
    });
  });

  it("drops values over the limit with 'drop', counting them", () => {
    createScheduler().run(({ cold, expectObservable }) => {
      const drops: Array<[number, string]> = [];
      const limited = rateLimit<string>({
        rate: 100,
        overflow: 'drop',
        onDrop: (n, v) => drops.push([n, v]),
      });
      expectObservable(cold('-abc 20ms d|').pipe(limited)).toBe('-a 22ms d|');
      expectObservable(cold('-|').pipe(limited)).toBe('-|');
      return () =>
        expect(drops).toEqual([
          [1, 'b'],
          [2, 'c'],
        ]);
    });
  });

  it("keeps the net change per object with 'coalesce', unkeyed values in order", () => {
    createScheduler().run(({ cold, expectObservable }) => {
      const values = {
        a: added('p', '1'),
        b: modified('p', '2', '1'),
        c: modified('p', '3', '2'),
        q: added('q', '1'),
        S: synced(2),
      };
      expectObservable(
        cold('abcqS 100ms |', values).pipe(rateLimit({ rate: 100, overflow: 'coalesce' })),
      ).toBe('a 9ms P 9ms q 9ms S 74ms |', {
        ...values,
        P: { type: 'MODIFIED', object: pod('p', '3'), previous: pod('p', '1') },
      });
    });
  });

  it('fails with a QueueOverflowError when the queue is full, or drops the oldest if asked', () => {
    createScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const source = hot('-abcd---|');
      expectObservable(source.pipe(rateLimit({ rate: 100, overflow: { kind: 'queue', max: 2 } }))).toBe(
        '-a--#',
        undefined,
        new QueueOverflowError('rateLimit', 2),
      );
      expectSubscriptions(source.subscriptions).toBe('^---!');
      const drops: string[] = [];
      const dropOldest = rateLimit<string>({
        rate: 100,
        overflow: { kind: 'queue', max: 2, whenFull: 'drop-oldest' },
        onDrop: (_n, v) => drops.push(v),
      });
      expectObservable(cold('abcd|', undefined).pipe(dropOldest)).toBe('a 9ms c 9ms (d|)');
      return () => expect(drops).toEqual(['b']);
    });
  });

  it('releases the queue before forwarding completion or an error', () => {
    createScheduler().run(({ cold, expectObservable }) => {
      const limited = rateLimit<string>({ rate: 100, overflow: { kind: 'queue', max: 10 } });
      expectObservable(cold('abc|').pipe(limited)).toBe('a 9ms b 9ms (c|)');
      expectObservable(cold('abc#', undefined, new Error('x')).pipe(limited)).toBe(
        'a 9ms b 9ms (c#)',
        undefined,
        new Error('x'),
      );
    });
  });

  it('drops the queue and its timer on unsubscribe', () => {
    const scheduler = createScheduler();
    scheduler.run(({ hot, expectObservable, expectSubscriptions, flush }) => {
      const source = hot('-abc-----------|');
      expectObservable(source.pipe(rateLimit({ rate: 100, overflow: 'coalesce', scheduler })), '-----!').toBe(
        '-a----',
      );
      expectSubscriptions(source.subscriptions).toBe('^----!');
      flush();
      expect(scheduler.actions).toEqual([]);
    });
  });

  it('queues a value whose key throws or is not a string in order, as one without a key, and reports it', () => {
    createScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const reports: Array<[string | undefined, string | undefined, number]> = [];
      const key = (e: InformerEvent): string | undefined => {
        if (e.type !== 'SYNCED' && e.object.metadata?.name === 'x') throw new Error('boom');
        if (e.type !== 'SYNCED' && e.object.metadata?.name === 'n') return 0 as unknown as string;
        return eventKey(e);
      };
      const values = { a: added('p', '1'), S: synced(1), n: added('n', '1'), x: added('x', '1') };
      const source = hot('  aSnx 40ms |', values);
      const subs = '        ^ 43ms !';
      // n's key 0 must not be taken for the place of S, the first value waiting without a key.
      const expected = '    a 9ms S 9ms n 9ms x 13ms |';
      const limited = rateLimit({
        rate: 100,
        overflow: 'coalesce',
        key,
        onError: (e, count) => reports.push([e.objectKey, e.source, count]),
      });
      expectObservable(source.pipe(limited)).toBe(expected, values);
      expectSubscriptions(source.subscriptions).toBe(subs);
      return () =>
        expect(reports).toEqual([
          ['shop/n', 'rateLimit key', 1],
          ['shop/x', 'rateLimit key', 2],
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
      const merging = rateLimit<InformerEvent>({
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
      const dropping = rateLimit<InformerEvent>({
        rate: 100,
        overflow: 'drop',
        onDrop: () => {
          throw new Error('onDrop broke');
        },
        onError: (e) => reports.push(e),
      });
      expectObservable(cold('ab 20ms q|', values).pipe(dropping)).toBe('a 21ms q|', values);
      return () =>
        expect(reports.map((e) => [e.source, e.objectKey, (e.cause as Error).message])).toEqual([
          ['rateLimit merge', 'shop/p', 'merge broke'],
          ['rateLimit onDrop', 'shop/p', 'onDrop broke'],
        ]);
    });
  });

  it('rejects unusable options', () => {
    expect(() => rateLimit({ rate: 0, overflow: 'drop' })).toThrow(RangeError);
    expect(() => rateLimit({ rate: 10, burst: 0, overflow: 'drop' })).toThrow(RangeError);
    expect(() => rateLimit({ rate: 10, overflow: { kind: 'queue', max: 0 } })).toThrow(RangeError);
  });
});
