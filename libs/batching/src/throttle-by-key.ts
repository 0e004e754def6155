import { userCodeReporter, type UserCodeError } from '@rxinformer/core';
import {
  asyncScheduler,
  Observable,
  type MonoTypeOperatorFunction,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import { eventKey } from './event-key.js';
import { mergeLatest } from './net-change.js';
import { queueBound, type OverflowPolicy } from './overflow.js';
import { QueueOverflowError } from './queue-overflow-error.js';
import { checkRate, TokenBucket } from './token-bucket.js';
import { callKey, callMerge, dropCounter } from './user-code.js';

/**
 * Options of {@link throttleByKey}.
 *
 * @example
 * ```ts
 * const options: ThrottleByKeyOptions<InformerEvent> = { rate: 1, burst: 2, overflow: 'coalesce' };
 * ```
 *
 * @see {@link throttleByKey}
 */
export interface ThrottleByKeyOptions<V> {
  /** Tokens added per second, per key. */
  readonly rate: number;
  /** Each key's bucket size. Default 1. */
  readonly burst?: number;
  /** What happens to a key's values over its limit; see {@link OverflowPolicy} (a queue's `max` is per key). */
  readonly overflow: OverflowPolicy;
  /** The clock of the buckets and timers. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** The key of a value; values without one pass unthrottled. Default {@link eventKey}. */
  readonly key?: (value: V) => string | undefined;
  /** `'coalesce'` only: merges a waiting value with a newer one; `undefined` drops both. Default: net change for informer events, else the newer. */
  readonly merge?: (waiting: V, next: V) => V | undefined;
  /** Called on each dropped value with the running count of dropped values. */
  readonly onDrop?: (dropped: number, value: V) => void;
  /**
   * Called when user code of this operator fails (`key` throws or returns something that is
   * neither a string nor `undefined`; `merge` or `onDrop` throws), with a `UserCodeError`
   * (naming the object's `namespace/name`, never its content; the throw as `cause`) and the
   * running count of failures. No value is lost: one whose key failed passes at once, as one
   * without a key; a failed `merge` falls back to the default merge. A throwing `onError` is
   * ignored.
   *
   * @example
   * ```ts
   * events$.pipe(throttleByKey({ rate: 10, overflow: 'coalesce', onError: (e) => console.warn(e.source, e.objectKey) }));
   * ```
   */
  readonly onError?: (error: UserCodeError, failures: number) => void;
}

interface KeyState<V> {
  readonly bucket: TokenBucket;
  readonly waiting: V[];
  timer: Subscription | undefined;
}

/**
 * A token bucket per key (by default per object): each key passes at most `rate` values per
 * second with bursts of `burst`, and its excess is queued, coalesced or dropped as `overflow`
 * says, so one busy object cannot crowd out the others. Each key keeps its order; values of
 * different keys may overtake each other, and values without a key (SYNCED) pass at once.
 * Completion and errors wait for the waiting values to be released; a full per-key queue with
 * `whenFull: 'error'` fails at once with a {@link QueueOverflowError}. A key's bucket is
 * forgotten once it is full again, so memory follows the keys active within about
 * `burst / rate` seconds. Unsubscribing drops the waiting values and the timers.
 *
 * When your code throws, nothing is lost and the stream does not error: a value whose `key`
 * throws (or returns neither a string nor `undefined`) passes at once, as a value without a
 * key does (it may overtake a waiting value of its own object); a throwing `merge` falls back
 * to the default merge; a throwing `onDrop` still leaves the drop counted. Each failure goes
 * to `onError` as a `UserCodeError`.
 *
 * ```
 * source:  pqPRQS 30ms |         (p, P, R: object p; q, Q: object q; S: SYNCED; rate 100 = a token every 10 ms per key)
 * result:  pq---S 4ms XY 24ms |  (X: P and R coalesced, at p's next token; Y: Q at q's; S is not held)
 * ```
 *
 * @example
 * ```ts
 * import { throttleByKey } from '@rxinformer/batching';
 *
 * // Reconcile each Deployment at most once per 5 s, keeping only its latest state in between.
 * deployments.events$.pipe(throttleByKey({ rate: 0.2, overflow: 'coalesce' })).subscribe(reconcile);
 * ```
 *
 * @see {@link rateLimit}
 * @see {@link coalesceByKey}
 */
export function throttleByKey<V>(options: ThrottleByKeyOptions<V>): MonoTypeOperatorFunction<V> {
  const { overflow, onDrop, rate } = options;
  const max = queueBound('throttleByKey', overflow);
  const burst = options.burst ?? 1;
  checkRate('throttleByKey', rate, burst);
  const scheduler = options.scheduler ?? asyncScheduler;
  const key = options.key ?? eventKey;
  const merge = options.merge ?? mergeLatest;
  const coalesce = overflow === 'coalesce';
  const dropOldest = typeof overflow === 'object' && overflow.whenFull === 'drop-oldest';

  return (source) =>
    new Observable<V>((subscriber) => {
      const keys = new Map<string, KeyState<V>>();
      let timers = 0;
      let sweepAt = 1024;
      let end: (() => void) | undefined;
      const fail = userCodeReporter(options.onError);
      const drop = dropCounter(onDrop, 'throttleByKey onDrop', fail);
      // `state.timer` stays set while releasing, so re-entrant values just queue.
      const release = (state?: KeyState<V>): void => {
        if (!state) return;
        while (state.waiting.length > 0) {
          const wait = state.bucket.take(scheduler.now());
          if (wait > 0) {
            state.timer = scheduler.schedule(release, wait, state);
            return;
          }
          subscriber.next(state.waiting.shift() as V);
        }
        state.timer = undefined;
        if (--timers === 0) end?.();
      };
      // Forget keys whose bucket is full again: they behave exactly like new ones.
      const sweep = (): void => {
        const now = scheduler.now();
        for (const [k, state] of keys)
          if (state.timer === undefined && state.bucket.fullAt <= now) keys.delete(k);
        sweepAt = Math.max(1024, keys.size * 2);
      };
      const subscription = source.subscribe({
        next: (value) => {
          const k = callKey(key, value, 'throttleByKey key', fail, true);
          if (k === undefined) return subscriber.next(value);
          let state = keys.get(k);
          if (state === undefined) {
            if (keys.size >= sweepAt) sweep();
            state = { bucket: new TokenBucket(rate, burst), waiting: [], timer: undefined };
            keys.set(k, state);
          }
          const wait = state.waiting.length === 0 ? state.bucket.take(scheduler.now()) : 1;
          if (wait === 0) return subscriber.next(value);
          if (max === 0) return drop(value);
          if (coalesce && state.waiting.length > 0) {
            const next = callMerge(merge, state.waiting[0] as V, value, 'throttleByKey merge', fail);
            if (next === undefined) state.waiting.length = 0;
            else state.waiting[0] = next;
            return;
          }
          if (state.waiting.length >= max) {
            if (!dropOldest) return subscriber.error(new QueueOverflowError('throttleByKey', max));
            drop(state.waiting.shift() as V);
          }
          state.waiting.push(value);
          if (state.timer === undefined) {
            timers++;
            state.timer = scheduler.schedule(release, wait, state);
          }
        },
        error: (err: unknown) => {
          end = () => subscriber.error(err);
          if (timers === 0) end();
        },
        complete: () => {
          end = () => subscriber.complete();
          if (timers === 0) end();
        },
      });
      return () => {
        subscription.unsubscribe();
        for (const state of keys.values()) state.timer?.unsubscribe();
        keys.clear();
      };
    });
}
