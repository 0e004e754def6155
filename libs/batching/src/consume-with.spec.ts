import { UserCodeError, type InformerEvent } from '@rxinformer/core';
import { share, Subject, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { added, createScheduler, modified, pod, synced } from '../test/fixtures.js';
import { consumeWith } from './consume-with.js';
import { QueueOverflowError } from './queue-overflow-error.js';

describe('consumeWith', () => {
  it('hands values to the handler one at a time and emits each when its call is done', () => {
    createScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const work = cold('---|');
      const source = hot('  -a-----b-|');
      const subs = '        ^--------!';
      const expected = '    ----a-----(b|)';
      expectObservable(source.pipe(consumeWith(() => work, { queueSize: 10, overflow: 'error' }))).toBe(
        expected,
      );
      expectSubscriptions(source.subscriptions).toBe(subs);
      expectSubscriptions(work.subscriptions).toBe(['-^--!', '-------^--!']);
    });
  });

  it("keeps only the newest waiting values with 'drop-oldest', counting the dropped ones", () => {
    createScheduler().run(({ hot, cold, expectObservable }) => {
      const drops: Array<[number, string]> = [];
      const source = hot('-abc------|');
      const consumer = consumeWith<string>(() => cold('---|'), {
        queueSize: 1,
        overflow: 'drop-oldest',
        onDrop: (n, v) => drops.push([n, v]),
      });
      expectObservable(source.pipe(consumer)).toBe('----a--c--|');
      return () => expect(drops).toEqual([[1, 'b']]);
    });
  });

  it("merges a waiting event with a newer one of the same object with 'coalesce-by-key'", () => {
    createScheduler().run(({ hot, cold, expectObservable }) => {
      const values = {
        a: added('p', '1'),
        b: modified('p', '2', '1'),
        c: modified('q', '1', '0'),
        d: modified('p', '3', '2'),
        S: synced(2),
      };
      const source = hot('-abcdS-------|', values);
      const consumer = consumeWith<InformerEvent>(() => cold('---|'), {
        queueSize: 3,
        overflow: 'coalesce-by-key',
      });
      expectObservable(source.pipe(consumer)).toBe('----a--P--c--(S|)', {
        a: values.a,
        c: values.c,
        S: values.S,
        P: { type: 'MODIFIED', object: pod('p', '3'), previous: pod('p', '1') },
      });
    });
  });

  it("fails with a QueueOverflowError with 'error', without disturbing other subscribers", () => {
    createScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const work = cold('-----|');
      const source = hot('-abcd----|');
      expectObservable(source.pipe(consumeWith(() => work, { queueSize: 2, overflow: 'error' }))).toBe(
        '----#',
        undefined,
        new QueueOverflowError('consumeWith', 2),
      );
      expectObservable(source).toBe('-abcd----|');
      expectSubscriptions(source.subscriptions).toBe(['^---!', '^--------!']);
      // The call in hand is cancelled with the stream.
      expectSubscriptions(work.subscriptions).toBe('-^--!');
    });
  });

  it('handles what waits before forwarding completion or a source error', () => {
    createScheduler().run(({ cold, expectObservable }) => {
      const slow = () => cold('--|');
      expectObservable(cold('ab|').pipe(consumeWith(slow, { queueSize: 5, overflow: 'error' }))).toBe(
        '--a-(b|)',
      );
      expectObservable(
        cold('ab#', undefined, new Error('src')).pipe(consumeWith(slow, { queueSize: 5, overflow: 'error' })),
      ).toBe('--a-(b#)', undefined, new Error('src'));
    });
  });

  it('after a handler error, stops reading, handles what waits, then fails with a UserCodeError naming the object', () => {
    createScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const reports: Array<[string | undefined, number]> = [];
      const values = { a: added('p', '1'), b: added('q', '1'), c: added('r', '1'), d: added('s', '1') };
      const work = (e: InformerEvent) =>
        e === values.b ? cold('-#', undefined, new Error('webhook 500')) : cold('--|');
      const source = hot('  -abc---d--|', values);
      // a is handled from 1 to 3; b fails at 4; c, which waited, is still handled, then the error.
      const subs = '        ^---!';
      const expected = '    ---a--(c#)';
      const consumer = consumeWith(work, {
        queueSize: 5,
        overflow: 'error',
        onError: (e, n) => reports.push([e.objectKey, n]),
      });
      expectObservable(source.pipe(consumer)).toBe(
        expected,
        values,
        new UserCodeError('callback', 'shop/q', new Error('webhook 500'), { source: 'consumeWith handler' }),
      );
      expectSubscriptions(source.subscriptions).toBe(subs);
      // The failure is the stream's error, not a report as well.
      return () => expect(reports).toEqual([]);
    });
  });

  it('reports handler failures while draining, and turns a throw or an unusable result into a UserCodeError', () => {
    createScheduler().run(({ cold, expectObservable, flush }) => {
      const reports: Array<[string | undefined, string, number]> = [];
      const values = { a: added('p', '1'), b: added('q', '1'), c: added('r', '1') };
      const failing = (e: InformerEvent) =>
        e === values.a ? cold('--|') : cold('-#', undefined, new Error(`no ${e.type}`));
      const first = new UserCodeError('callback', 'shop/q', new Error('no ADDED'), {
        source: 'consumeWith handler',
      });
      expectObservable(
        cold('abc|', values).pipe(
          consumeWith(failing, {
            queueSize: 5,
            overflow: 'error',
            onError: (e, n) => reports.push([e.objectKey, (e.cause as Error).message, n]),
          }),
        ),
      ).toBe('--a-#', values, first);
      const throwing = () => {
        throw new Error('sync');
      };
      expectObservable(cold('a|').pipe(consumeWith(throwing, { queueSize: 1, overflow: 'error' }))).toBe(
        '#',
        undefined,
        new UserCodeError('callback', undefined, new Error('sync'), { source: 'consumeWith handler' }),
      );
      let unusable: unknown;
      const notObservable = () => 42 as unknown as void;
      cold('a|', values)
        .pipe(consumeWith(notObservable, { queueSize: 1, overflow: 'error' }))
        .subscribe({ error: (e: unknown) => (unusable = e) });
      flush();
      expect(unusable).toBeInstanceOf(UserCodeError);
      expect(unusable).toMatchObject({ objectKey: 'shop/p', source: 'consumeWith handler' });
      expect((unusable as UserCodeError).cause).toBeInstanceOf(TypeError);
      return () => expect(reports).toEqual([['shop/r', 'no ADDED', 1]]);
    });
  });

  it('queues a value whose key throws or is not a string as one without a key; a throwing merge or onDrop changes nothing', () => {
    createScheduler().run(({ hot, cold, expectObservable }) => {
      const reports: Array<[string | undefined, string | undefined]> = [];
      const onError = (e: UserCodeError) => void reports.push([e.source, e.objectKey]);
      const values = {
        a: added('p', '1'),
        b: modified('p', '2', '1'),
        c: modified('p', '3', '2'),
        x: added('x', '1'),
        n: added('n', '1'),
        S: synced(1),
      };
      const key = (e: InformerEvent): string | undefined => {
        if (e.type !== 'SYNCED' && e.object.metadata?.name === 'x') throw new Error('boom');
        if (e.type !== 'SYNCED' && e.object.metadata?.name === 'n') return 0 as unknown as string;
        return e.type === 'SYNCED' ? undefined : e.object.metadata?.name;
      };
      // S waits under the number 0; n's key 0 must not take its place.
      const keyed = consumeWith(() => cold('--|'), {
        queueSize: 5,
        overflow: 'coalesce-by-key',
        key,
        onError,
      });
      expectObservable(hot('aSnx------|', values).pipe(keyed)).toBe('--a-S-n-x-|', values);
      const merging = consumeWith<InformerEvent>(() => cold('--|'), {
        queueSize: 5,
        overflow: 'coalesce-by-key',
        merge: () => {
          throw new Error('merge broke');
        },
        onError,
      });
      expectObservable(cold('abc|', values).pipe(merging)).toBe('--a-(X|)', {
        a: values.a,
        X: { type: 'MODIFIED', object: pod('p', '3'), previous: pod('p', '1') },
      });
      const dropping = consumeWith<InformerEvent>(() => cold('--|'), {
        queueSize: 1,
        overflow: 'drop-oldest',
        onDrop: () => {
          throw new Error('onDrop broke');
        },
        onError,
      });
      expectObservable(cold('axn|', values).pipe(dropping)).toBe('--a-(n|)', values);
      return () =>
        expect(reports).toEqual([
          ['consumeWith key', 'shop/n'],
          ['consumeWith key', 'shop/x'],
          ['consumeWith merge', 'shop/p'],
          ['consumeWith onDrop', 'shop/x'],
        ]);
    });
  });

  it('passes values straight through a synchronous handler', () => {
    createScheduler().run(({ cold, expectObservable }) => {
      const seen: string[] = [];
      expectObservable(
        cold('abc|').pipe(consumeWith<string>((v) => void seen.push(v), { queueSize: 1, overflow: 'error' })),
      ).toBe('abc|');
      return () => expect(seen).toEqual(['a', 'b', 'c']);
    });
  });

  it('cancels the call in hand and drops the queue on unsubscribe', () => {
    createScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const work = cold('----|');
      const source = hot('-ab-------|');
      expectObservable(
        source.pipe(consumeWith(() => work, { queueSize: 5, overflow: 'error' })),
        '---!',
      ).toBe('---');
      expectSubscriptions(source.subscriptions).toBe('^--!');
      expectSubscriptions(work.subscriptions).toBe('-^-!');
    });
  });

  it('rejects an unusable queueSize', () => {
    expect(() => consumeWith(() => undefined, { queueSize: 0, overflow: 'error' })).toThrow(RangeError);
  });

  it('never stalls a shared source: a fast subscriber gets everything at once, a slow one a bounded, coalesced view', async () => {
    const source = new Subject<InformerEvent>();
    const shared = source.pipe(share());
    const fast: InformerEvent[] = [];
    shared.subscribe((e) => fast.push(e));

    const slowSeen: InformerEvent[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const done: InformerEvent[] = [];
    let drops = 0;
    const finished = new Promise<void>((resolve) =>
      shared
        .pipe(
          consumeWith(
            async (e) => {
              inFlight++;
              maxInFlight = Math.max(maxInFlight, inFlight);
              slowSeen.push(e);
              await new Promise((r) => setTimeout(r, 5));
              inFlight--;
            },
            { queueSize: 4, overflow: 'coalesce-by-key', onDrop: () => drops++ },
          ),
        )
        .subscribe({ next: (e) => done.push(e), complete: resolve }),
    );

    // 10 000 updates of three objects, delivered synchronously, then SYNCED.
    for (let i = 0; i < 10_000; i++) source.next(modified(`pod-${i % 3}`, String(i + 1), String(i)));
    source.next(synced(3, '10000'));
    // The fast subscriber already has everything: the slow one never held up the source.
    expect(fast).toHaveLength(10_001);
    source.complete();
    await finished;

    expect(maxInFlight).toBe(1);
    // The first event, then one net change per object and SYNCED: the queue never held more than
    // four values (three keys and SYNCED), so nothing was dropped.
    expect(drops).toBe(0);
    expect(
      slowSeen.map((e) =>
        e.type === 'SYNCED' ? 'SYNCED' : `${e.object.metadata?.name}@${e.object.metadata?.resourceVersion}`,
      ),
    ).toEqual(['pod-0@1', 'pod-1@9998', 'pod-2@9999', 'pod-0@10000', 'SYNCED']);
    expect(slowSeen[1]).toMatchObject({ type: 'MODIFIED', previous: { metadata: { resourceVersion: '1' } } });
    expect(done).toEqual(slowSeen);
  });

  it('drops the oldest under a flood with a slow Promise handler, memory bounded by queueSize', async () => {
    const source = new Subject<number>();
    const handled: number[] = [];
    let dropped = 0;
    const finished = new Promise<void>((resolve) =>
      source
        .pipe(
          consumeWith((n) => timer(2).forEach(() => handled.push(n)), {
            queueSize: 4,
            overflow: 'drop-oldest',
            onDrop: (count) => (dropped = count),
          }),
        )
        .subscribe({ complete: resolve }),
    );
    for (let i = 0; i < 100_000; i++) source.next(i);
    source.complete();
    await finished;
    expect(handled).toEqual([0, 99_996, 99_997, 99_998, 99_999]);
    expect(dropped).toBe(99_995);
  });
});
