// Virtual time for code that mixes scheduler timers with promises: advance() runs every timer
// due by then, in order, and lets promise callbacks run between timers.
import { VirtualAction, VirtualTimeScheduler } from 'rxjs';

/** Lets pending promise callbacks (and what they schedule at once) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export function virtualClock() {
  const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
  return {
    scheduler,
    now: () => scheduler.now(),
    /** Moves the clock `ms` ahead, running each due timer at its time. */
    async advance(ms: number): Promise<void> {
      const target = scheduler.frame + ms;
      await settle();
      for (let next = scheduler.actions[0]; next && next.delay <= target; next = scheduler.actions[0]) {
        scheduler.maxFrames = next.delay;
        scheduler.flush();
        await settle();
      }
      scheduler.frame = target;
      await settle();
    },
  };
}
