import type { TestScheduler } from 'rxjs/testing';

/** A promise's outcome, readable synchronously once {@link flushPromises} has run. */
export interface Outcome {
  state: 'pending' | 'resolved' | 'rejected';
  error: unknown;
}

/** Records how a promise settles. */
export function track(promise: Promise<unknown>): Outcome {
  const outcome: Outcome = { state: 'pending', error: undefined };
  promise.then(
    () => (outcome.state = 'resolved'),
    (error: unknown) => {
      outcome.state = 'rejected';
      outcome.error = error;
    },
  );
  return outcome;
}

/** Lets every queued promise callback run. */
export function flushPromises(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Runs a TestScheduler's virtual time `ms` forward (every action due by then, in order), then
 * lets promise callbacks run: virtual time for code whose results are promises, which
 * `TestScheduler.run` cannot observe between its frames.
 */
export async function advance(scheduler: TestScheduler, ms: number): Promise<void> {
  const target = scheduler.now() + ms;
  scheduler.maxFrames = target;
  scheduler.flush();
  scheduler.frame = target;
  await flushPromises();
}
