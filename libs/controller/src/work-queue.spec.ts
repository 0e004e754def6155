import { Registry } from 'prom-client';
import { VirtualAction, VirtualTimeScheduler } from 'rxjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { workQueueMetrics } from '@rxinformer/metrics';
import { defaultControllerRateLimiter, exponentialFailureRateLimiter } from './rate-limiter.js';
import { WorkQueue } from './work-queue.js';

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
});
