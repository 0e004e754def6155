// Virtual time for code that mixes scheduler timers with promises: the testing library's
// advance() runs every timer due by then, in order, and lets promise callbacks run between them.
import { advance, settle } from '@rxinformer/testing';
import { VirtualAction, VirtualTimeScheduler } from 'rxjs';

export { settle };

export function virtualClock() {
  const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
  return {
    scheduler,
    now: () => scheduler.now(),
    /** Moves the clock `ms` ahead, running each due timer at its time. */
    advance: (ms: number): Promise<void> => advance(scheduler, ms),
  };
}
