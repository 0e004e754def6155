import type { KubeObject } from '@rxinformer/core';
import type { SchedulerLike, Subscription } from 'rxjs';
import type { ReconcileOutcome, ReconcileRequest, Reconciler } from './reconcile-request.js';

/** How one reconcile attempt ended, as far as the worker is concerned. */
export type AttemptResult =
  | { readonly kind: 'returned'; readonly outcome: ReconcileOutcome | void }
  | { readonly kind: 'threw'; readonly error: unknown }
  | { readonly kind: 'timed-out'; readonly error: DOMException };

/** One call of a reconcile, guarded and timed. */
export interface ReconcileAttempt {
  /** The first of: the reconcile returned or threw, or its time ran out (the signal has aborted then). */
  readonly result: Promise<AttemptResult>;
  /** Resolves when the reconcile's own promise settles, however late; never rejects. */
  readonly settled: Promise<void>;
}

/** Beyond this a timer fires at once in Node.js (a 32-bit delay): such timeouts mean "none". */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Calls `reconcile` so that a synchronous throw is an ordinary rejection, and, after
 * `timeoutMs` (0, Infinity or more than a 32-bit timer: none), aborts `abort` with a
 * `TimeoutError` DOMException and reports `timed-out`, while `settled` goes on waiting for the
 * reconcile's promise.
 */
export function attemptReconcile<T extends KubeObject>(
  reconcile: Reconciler<T>,
  request: ReconcileRequest<T>,
  abort: AbortController,
  timeoutMs: number,
  scheduler: SchedulerLike,
): ReconcileAttempt {
  const outcome = new Promise<ReconcileOutcome | void>((resolve) => resolve(reconcile(request))).then(
    (value): AttemptResult => ({ kind: 'returned', outcome: value }),
    (error: unknown): AttemptResult => ({ kind: 'threw', error }),
  );
  const settled = outcome.then(() => undefined);
  if (!(timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS)) return { result: outcome, settled };
  let timer: Subscription | undefined;
  const timedOut = new Promise<AttemptResult>((resolve) => {
    timer = scheduler.schedule(() => {
      const error = new DOMException(
        `reconcile of ${request.key} did not settle within ${timeoutMs} ms`,
        'TimeoutError',
      );
      abort.abort(error);
      resolve({ kind: 'timed-out', error });
    }, timeoutMs);
  });
  void settled.then(() => timer?.unsubscribe());
  return { result: Promise.race([outcome, timedOut]), settled };
}
