import { describe, expect, it } from 'vitest';
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

  it('rejects unusable options', () => {
    expect(() => rateLimit({ rate: 0, overflow: 'drop' })).toThrow(RangeError);
    expect(() => rateLimit({ rate: 10, burst: 0, overflow: 'drop' })).toThrow(RangeError);
    expect(() => rateLimit({ rate: 10, overflow: { kind: 'queue', max: 0 } })).toThrow(RangeError);
  });
});
