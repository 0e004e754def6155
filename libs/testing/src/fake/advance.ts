import type { VirtualTimeScheduler } from 'rxjs';

/**
 * Lets pending promise callbacks run, and what they start at once: a few turns of the event
 * loop (`setImmediate`, never a timer), each of which drains the microtask queue.
 *
 * @example
 * ```ts
 * const cm = { metadata: { name: 'web', namespace: 'shop' } };
 * void informers.client.resource(ConfigMaps).create(cm);
 * await settle(); // the create has been answered
 * ```
 */
export async function settle(turns = 10): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Moves a virtual clock `ms` ahead, running every action due by then at its own time and letting
 * promise callbacks run between them: how to drive code that mixes scheduler timers with
 * promises (controllers, leader election, a client's writes) in virtual time. Afterwards
 * `scheduler.now()` is exactly `ms` later. Use a `VirtualTimeScheduler` (or a `TestScheduler`
 * outside `run()`); actions scheduled for later stay queued for the next call.
 *
 * ```
 * now = 0    advance(s, 1000)                     now = 1000
 *            runs actions due at 0, 200, 800 …    (one at 1200 waits)
 *            settling promises after each time
 * ```
 *
 * @example
 * ```ts
 * const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
 * const cluster = createFakeCluster({ scheduler });
 * elector.start();
 * await advance(scheduler, 15_000);
 * expect(scheduler.now()).toBe(15_000);
 * ```
 * @see settle
 */
export async function advance(scheduler: VirtualTimeScheduler, ms: number): Promise<void> {
  if (!(ms >= 0) || !Number.isFinite(ms))
    throw new RangeError(`advance: ms must be finite and >= 0, got ${ms}`);
  const target = scheduler.frame + ms;
  const maxFrames = scheduler.maxFrames;
  try {
    await settle();
    for (let next = scheduler.actions[0]; next && next.delay <= target; next = scheduler.actions[0]) {
      // VirtualAction keeps the absolute due time in `delay`: run everything due then, and no more.
      scheduler.maxFrames = next.delay;
      scheduler.flush();
      await settle();
    }
    scheduler.frame = target;
    await settle();
  } finally {
    scheduler.maxFrames = maxFrames;
  }
}
