import { Registry } from 'prom-client';
import { VirtualAction, VirtualTimeScheduler } from 'rxjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { workQueueMetrics } from '@rxinformer/metrics';
import { defaultControllerRateLimiter, exponentialFailureRateLimiter } from './rate-limiter.js';
import { LOW_PRIORITY, WorkQueue } from './work-queue.js';

/** A virtual clock: `advance(ms)` runs every timer due by then, in order. */
function virtualTime() {
  const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
  return {
    scheduler,
    advance(ms: number) {
      const target = scheduler.frame + ms;
      scheduler.maxFrames = target;
      scheduler.flush();
      scheduler.frame = target;
    },
  };
}

/** Settles pending promise callbacks (no timers involved). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('WorkQueue', () => {
  it('hands out a key queued many times while waiting once', async () => {
    const queue = new WorkQueue();
    for (let i = 0; i < 5; i++) queue.add('a');
    queue.add('b');
    expect(queue.length).toBe(2);
    expect(await queue.get()).toBe('a');
    expect(await queue.get()).toBe('b');
    expect(queue.length).toBe(0);
  });

  it('never hands a key to two workers at once; re-added in flight, it comes back after done', async () => {
    const queue = new WorkQueue();
    queue.add('a');
    const first = await queue.get();
    queue.add('a');
    queue.add('a');
    let second: string | undefined;
    void queue.get().then((k) => (second = k));
    await settle();
    expect(second).toBeUndefined(); // 'a' is in flight: not handed out again
    expect(queue.length).toBe(0);
    queue.done(first!);
    await settle();
    expect(second).toBe('a'); // once, despite two re-adds
    expect(queue.length).toBe(0);
  });

  it('keeps every key with at most one worker, whatever the interleaving (property)', async () => {
    type Step = { op: 'add'; key: string } | { op: 'take' } | { op: 'finish'; worker: number };
    const step = fc.oneof(
      fc.record({ op: fc.constant('add' as const), key: fc.constantFrom('a', 'b', 'c') }),
      fc.record({ op: fc.constant('take' as const) }),
      fc.record({ op: fc.constant('finish' as const), worker: fc.nat(4) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 60 }), async (steps: Step[]) => {
        const queue = new WorkQueue();
        const holding: string[] = [];
        const added = new Set<string>();
        for (const s of steps) {
          if (s.op === 'add') {
            queue.add(s.key);
            added.add(s.key);
          } else if (s.op === 'take') {
            if (queue.length === 0) continue;
            const key = (await queue.get())!;
            expect(holding).not.toContain(key);
            holding.push(key);
          } else if (holding.length > 0) {
            const [key] = holding.splice(s.worker % holding.length, 1);
            queue.done(key!);
          }
        }
        // Drain: every key added is eventually handed out, and the queue ends empty.
        while (holding.length > 0) queue.done(holding.pop()!);
        while (queue.length > 0) queue.done((await queue.get())!);
        expect(queue.length).toBe(0);
        expect(queue.inFlight).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it('retries a failing key on an exponential schedule from 5 ms, and forget resets it', async () => {
    const clock = virtualTime();
    const queue = new WorkQueue({ scheduler: clock.scheduler });
    const readyAt: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      queue.addRateLimited('a');
      const before = clock.scheduler.now();
      while (queue.length === 0) clock.advance(1);
      readyAt.push(clock.scheduler.now() - before);
      queue.done((await queue.get())!);
    }
    expect(readyAt).toEqual([5, 10, 20, 40, 80]);
    expect(queue.retries('a')).toBe(5);
    queue.forget('a');
    queue.addRateLimited('a');
    clock.advance(4);
    expect(queue.length).toBe(0);
    clock.advance(1);
    expect(queue.length).toBe(1);
  });

  it('caps the per-key backoff at 1000 s by default', () => {
    const limiter = exponentialFailureRateLimiter();
    const delays = Array.from({ length: 40 }, () => limiter.when('a', 0));
    expect(delays[0]).toBe(5);
    expect(delays[17]).toBe(5 * 2 ** 17); // 655.36 s
    expect(delays[18]).toBe(1_000_000);
    expect(delays[39]).toBe(1_000_000);
  });

  it('limits retries of all keys together with a token bucket: burst 100, then 10 per second', () => {
    const clock = virtualTime();
    const queue = new WorkQueue({ scheduler: clock.scheduler, rateLimiter: defaultControllerRateLimiter() });
    for (let i = 0; i < 103; i++) queue.addRateLimited(`k${i}`);
    clock.advance(5); // first failure of each key: 5 ms; the burst covers 100 of them
    expect(queue.length).toBe(100);
    clock.advance(94);
    expect(queue.length).toBe(100);
    clock.advance(1); // 100 ms: one more token
    expect(queue.length).toBe(101);
    clock.advance(100);
    expect(queue.length).toBe(102);
    clock.advance(100);
    expect(queue.length).toBe(103);
  });

  it('delays addAfter, and the earliest pending delay wins', () => {
    const clock = virtualTime();
    const queue = new WorkQueue({ scheduler: clock.scheduler });
    queue.addAfter('a', 1000);
    queue.addAfter('a', 300);
    queue.addAfter('a', 2000);
    clock.advance(299);
    expect(queue.length).toBe(0);
    clock.advance(1);
    expect(queue.length).toBe(1);
    clock.advance(5000);
    expect(queue.length).toBe(1); // the cancelled and later delays added nothing more
  });

  it('waits a delay longer than a timer can hold (2^31 - 1 ms) instead of firing at once', async () => {
    const queue = new WorkQueue(); // the real asyncScheduler: Node's timers overflow past 2^31 - 1 ms
    queue.addAfter('a', 2 ** 31 + 1000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(queue.length).toBe(0);
    expect(await queue.shutDown()).toEqual(['a']); // still delayed, and its timer is cancelled
  });

  it('re-arms a delay longer than a timer can hold until its full length has passed', () => {
    const clock = virtualTime();
    const queue = new WorkQueue({ scheduler: clock.scheduler });
    const delay = 3 * 2 ** 31;
    queue.addAfter('a', delay);
    clock.advance(delay - 1);
    expect(queue.length).toBe(0);
    clock.advance(1);
    expect(queue.length).toBe(1);
    expect(clock.scheduler.actions).toHaveLength(0);
  });

  it('shuts down without drain: hands back queued and delayed keys, and waits for in-flight ones', async () => {
    const clock = virtualTime();
    const queue = new WorkQueue({ scheduler: clock.scheduler });
    queue.add('a');
    queue.add('b');
    queue.addAfter('c', 100);
    const inFlight = (await queue.get())!;
    let waiting: string | undefined | null = null;
    let handedBack: readonly string[] | undefined;
    void queue.shutDown().then((keys) => (handedBack = keys));
    void queue.get().then((k) => (waiting = k));
    await settle();
    expect(waiting).toBeUndefined(); // workers are released
    expect(handedBack).toBeUndefined(); // 'a' is still in flight
    queue.add('d');
    expect(queue.length).toBe(0); // ignored after shutdown
    queue.done(inFlight);
    await settle();
    expect([...handedBack!].sort()).toEqual(['b', 'c']);
    clock.advance(1000);
    expect(queue.length).toBe(0);
  });

  it('shuts down with drain: queued keys are still processed, then workers get undefined', async () => {
    const queue = new WorkQueue();
    queue.add('a');
    queue.add('b');
    let finished = false;
    void queue.shutDown({ drain: true }).then(() => (finished = true));
    const processed: string[] = [];
    for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
      processed.push(key);
      await settle();
      expect(finished).toBe(false);
      queue.done(key);
    }
    await settle();
    expect(processed).toEqual(['a', 'b']);
    expect(finished).toBe(true);
  });

  it('updates the workqueue_* metrics', async () => {
    const clock = virtualTime();
    const registry = new Registry();
    const queue = new WorkQueue({ scheduler: clock.scheduler, metrics: workQueueMetrics(registry, 'q') });
    queue.add('a');
    queue.add('a');
    queue.add('b');
    clock.advance(2000);
    const key = (await queue.get())!;
    clock.advance(500);
    queue.done(key);
    queue.addRateLimited('a');
    const text = await registry.metrics();
    expect(text).toContain('workqueue_depth{name="q"} 1');
    expect(text).toContain('workqueue_adds_total{name="q"} 2');
    expect(text).toContain('workqueue_retries_total{name="q"} 1');
    expect(text).toContain('workqueue_queue_duration_seconds_sum{name="q"} 2');
    expect(text).toContain('workqueue_work_duration_seconds_sum{name="q"} 0.5');
  });

  describe('priorities', () => {
    /** Takes every waiting key, marking each done. */
    async function takeAll(queue: WorkQueue): Promise<string[]> {
      const keys: string[] = [];
      while (queue.length > 0) {
        const key = (await queue.get())!;
        keys.push(key);
        queue.done(key);
      }
      return keys;
    }

    it('hands out keys of a higher priority first, even when they were queued later', async () => {
      const queue = new WorkQueue();
      queue.add('listed-1', { priority: LOW_PRIORITY });
      queue.add('listed-2', { priority: LOW_PRIORITY });
      queue.add('changed');
      queue.add('urgent', { priority: 5 });
      expect(queue.length).toBe(4);
      expect(await takeAll(queue)).toEqual(['urgent', 'changed', 'listed-1', 'listed-2']);
    });

    it('keeps first in first out among keys of one priority, however many pass through', async () => {
      const queue = new WorkQueue();
      for (const [i, key] of ['a', 'x', 'b', 'y', 'c'].entries()) {
        queue.add(key, { priority: i % 2 === 0 ? 0 : LOW_PRIORITY });
      }
      expect(await takeAll(queue)).toEqual(['a', 'b', 'c', 'x', 'y']);

      // Thousands of keys through one priority, never empty: order holds across the FIFO's compaction.
      const taken: string[] = [];
      for (let i = 0; i < 5000; i++) {
        queue.add(`k${i}`);
        queue.add(`k${i + 1}`);
        const key = (await queue.get())!;
        taken.push(key);
        queue.done(key);
      }
      taken.push(...(await takeAll(queue)));
      expect(taken).toEqual(Array.from({ length: 5001 }, (_, i) => `k${i}`));
    });

    it('raises a waiting key added again with a higher priority, behind the keys already there', async () => {
      const registry = new Registry();
      const queue = new WorkQueue({ metrics: workQueueMetrics(registry, 'q') });
      for (const key of ['x', 'a', 'b']) queue.add(key, { priority: LOW_PRIORITY });
      queue.add('c');
      queue.add('a'); // raised to 0: ahead of 'x', behind 'c', which was queued at 0 before
      queue.add('b', { priority: LOW_PRIORITY }); // equal: stays
      queue.add('b', { priority: -200 }); // lower: stays
      expect(queue.length).toBe(4); // never two entries for one key
      const text = await registry.metrics();
      expect(text).toContain('workqueue_depth{name="q"} 4');
      expect(text).toContain('workqueue_adds_total{name="q"} 4');
      expect(await queue.get()).toBe('c');
      const raised = (await queue.get())!;
      expect(raised).toBe('a');
      queue.done(raised);
      queue.add('a', { priority: LOW_PRIORITY }); // back at its old priority: behind 'b', not in its old place
      expect(await takeAll(queue)).toEqual(['x', 'b', 'a']);
    });

    it('queues a key added while in flight again on done, with the highest priority it was given', async () => {
      const queue = new WorkQueue();
      queue.add('a');
      const inFlight = (await queue.get())!;
      queue.add('a', { priority: LOW_PRIORITY });
      queue.add('a', { priority: 10 });
      queue.add('a'); // the last add is not the highest
      queue.add('b', { priority: 5 });
      expect(queue.length).toBe(1); // 'a' waits for done, not in the queue
      queue.done(inFlight);
      expect(queue.length).toBe(2);
      expect(await takeAll(queue)).toEqual(['a', 'b']);
    });

    it('adds a key with its priority when its addAfter delay ends, the highest of its pending delays', async () => {
      const clock = virtualTime();
      const queue = new WorkQueue({ scheduler: clock.scheduler });
      queue.add('waiting');
      queue.addAfter('a', 100, { priority: 10 });
      clock.advance(100);
      expect(await takeAll(queue)).toEqual(['a', 'waiting']);

      queue.addAfter('b', 100, { priority: LOW_PRIORITY });
      queue.addAfter('b', 300, { priority: 10 }); // later: its delay loses, its priority counts
      queue.addAfter('c', 400, { priority: 10 });
      queue.addAfter('c', 100, { priority: LOW_PRIORITY }); // earlier: its delay wins, the priority stays 10
      queue.addAfter('d', 50);
      clock.advance(100);
      expect(queue.length).toBe(3);
      expect(await takeAll(queue)).toEqual(['b', 'c', 'd']);
      clock.advance(1000);
      expect(queue.length).toBe(0); // the losing delays added nothing
    });

    it('adds a key with its priority when its addRateLimited backoff ends', async () => {
      const clock = virtualTime();
      const queue = new WorkQueue({ scheduler: clock.scheduler });
      queue.addRateLimited('listed', { priority: LOW_PRIORITY });
      queue.addRateLimited('changed');
      queue.addRateLimited('urgent', { priority: 10 });
      clock.advance(4);
      expect(queue.length).toBe(0);
      clock.advance(1); // every first retry waits 5 ms: all three arrive in the order they failed
      expect(await takeAll(queue)).toEqual(['urgent', 'changed', 'listed']);
      expect(queue.retries('urgent')).toBe(1);
    });

    it('requeues a key in flight with the priority it was handed out with, unless told otherwise', async () => {
      const clock = virtualTime();
      const queue = new WorkQueue({ scheduler: clock.scheduler });
      queue.add('listed', { priority: LOW_PRIORITY });
      queue.add('changed');
      expect([await queue.get(), await queue.get()]).toEqual(['changed', 'listed']);
      queue.addRateLimited('listed'); // failed: retried, still low
      queue.addAfter('changed', 5); // requeueAfter: still at 0
      queue.done('listed');
      queue.done('changed');
      queue.add('fresh', { priority: -50 });
      clock.advance(5);
      expect(await takeAll(queue)).toEqual(['changed', 'fresh', 'listed']);
    });

    it('shuts down with drain: hands out every queued key, highest priority first', async () => {
      const queue = new WorkQueue();
      queue.add('busy');
      const inFlight = (await queue.get())!;
      queue.add('busy', { priority: 10 }); // in flight: queued again on done
      queue.add('listed', { priority: LOW_PRIORITY });
      queue.add('changed');
      let finished = false;
      void queue.shutDown({ drain: true }).then(() => (finished = true));
      queue.add('late', { priority: 100 }); // ignored after shutdown
      queue.done(inFlight);
      const processed: string[] = [];
      for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
        processed.push(key);
        await settle();
        expect(finished).toBe(false);
        queue.done(key);
      }
      await settle();
      expect(processed).toEqual(['busy', 'changed', 'listed']);
      expect(finished).toBe(true);
    });

    it('rejects a NaN priority', () => {
      const queue = new WorkQueue();
      expect(() => queue.add('a', { priority: Number.NaN })).toThrow(RangeError);
      expect(() => queue.addAfter('a', 10, { priority: Number.NaN })).toThrow(RangeError);
      expect(() => queue.addRateLimited('a', { priority: Number.NaN })).toThrow(RangeError);
      expect(queue.length).toBe(0);
    });

    it('hands out keys in the order a model of priorities, raises and in-flight re-adds predicts (property)', async () => {
      type Step =
        { op: 'add'; key: string; priority: number } | { op: 'take' } | { op: 'finish'; worker: number };
      const step = fc.oneof(
        fc.record({
          op: fc.constant('add' as const),
          key: fc.constantFrom('a', 'b', 'c', 'd'),
          priority: fc.constantFrom(LOW_PRIORITY, 0, 5),
        }),
        fc.record({ op: fc.constant('take' as const) }),
        fc.record({ op: fc.constant('finish' as const), worker: fc.nat(4) }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(step, { maxLength: 80 }), async (steps: Step[]) => {
          const queue = new WorkQueue();
          // The model: waiting keys with their priority and the time of their last (raising) add.
          type Entry = [key: string, { priority: number; seq: number }];
          const waiting = new Map<Entry[0], Entry[1]>();
          const again = new Map<string, number>();
          const holding: string[] = [];
          let seq = 0;
          const enqueue = (key: string, priority: number) => waiting.set(key, { priority, seq: seq++ });
          for (const s of steps) {
            if (s.op === 'add') {
              queue.add(s.key, { priority: s.priority });
              const highest = Math.max(s.priority, again.get(s.key) ?? -Infinity);
              if (holding.includes(s.key)) again.set(s.key, highest);
              else if (s.priority > (waiting.get(s.key)?.priority ?? -Infinity)) enqueue(s.key, s.priority);
            } else if (s.op === 'take') {
              if (waiting.size === 0) continue;
              const byOrder = ([, x]: Entry, [, y]: Entry) => y.priority - x.priority || x.seq - y.seq;
              const [expected] = [...waiting].sort(byOrder)[0]!;
              waiting.delete(expected);
              holding.push(expected);
              expect(await queue.get()).toBe(expected);
            } else if (holding.length > 0) {
              const [key] = holding.splice(s.worker % holding.length, 1);
              queue.done(key!);
              const priority = again.get(key!);
              again.delete(key!);
              if (priority !== undefined) enqueue(key!, priority);
            }
            expect(queue.length).toBe(waiting.size);
          }
        }),
        { numRuns: 300 },
      );
    });
  });
});
