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
 * Options of {@link rateLimit}.
 *
 * @example
 * ```ts
 * const options: RateLimitOptions<InformerEvent> = { rate: 50, burst: 100, overflow: 'coalesce' };
 * ```
 *
 * @see {@link rateLimit}
 */
export interface RateLimitOptions<V> {
  /** Tokens added per second: the sustained rate. */
  readonly rate: number;
  /** The bucket's size: how many values may pass at once after a quiet time. Default 1. */
  readonly burst?: number;
  /** What happens to values over the limit; see {@link OverflowPolicy}. */
  readonly overflow: OverflowPolicy;
  /** The clock of the bucket and the release timer. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** `'coalesce'` only: the key of a value, `undefined` for none. Default {@link eventKey}. */
  readonly key?: (value: V) => string | undefined;
  /** `'coalesce'` only: merges a waiting value with a newer one; `undefined` drops both. Default: net change for informer events, else the newer. */
  readonly merge?: (waiting: V, next: V) => V | undefined;
  /** Called on each dropped value with the running count of dropped values. */
  readonly onDrop?: (dropped: number, value: V) => void;
  /**
   * Called when user code of this operator fails (`key` throws or returns something that is
   * neither a string nor `undefined`; `merge` or `onDrop` throws), with a `UserCodeError`
   * (naming the object's `namespace/name`, never its content; the throw as `cause`) and the
   * running count of failures. No value is lost: one whose key failed waits in order, as one
   * without a key; a failed `merge` falls back to the default merge. A throwing `onError` is
   * ignored.
   *
   * @example
   * ```ts
   * events$.pipe(rateLimit({ rate: 10, overflow: 'coalesce', onError: (e) => console.warn(e.source, e.objectKey) }));
   * ```
   */
  readonly onError?: (error: UserCodeError, failures: number) => void;
}

/**
 * Lets values through at most `rate` per second with bursts of up to `burst` (a token bucket
 * on the scheduler's clock); values over the limit are queued, coalesced or dropped as
 * `overflow` says. Waiting values are released in order as tokens come back. On completion or
 * error the waiting values are still released at the rate, then the completion or error is
 * forwarded; a full queue with `whenFull: 'error'` fails at once with a
 * {@link QueueOverflowError}. Unsubscribing drops the waiting values and the timer.
 *
 * When your code throws, nothing is lost and the stream does not error: a value whose `key`
 * throws (or returns neither a string nor `undefined`) waits in order as a value without a key
 * does; a throwing `merge` falls back to the default merge; a throwing `onDrop` still leaves
 * the drop counted. Each failure goes to `onError` as a `UserCodeError`.
 *
 * ```
 * source:  -abc 20ms d 50ms |             (rate: 100 = a token every 10 ms, burst 1, overflow { kind: 'queue', max: 10 })
 * result:  -a 9ms b 9ms c 9ms d 43ms |   (b, c, then d wait for their tokens: at 11, 21, 31 ms)
 * ```
 *
 * @example
 * ```ts
 * import { rateLimit } from '@rxinformer/batching';
 *
 * pods.events$
 *   .pipe(rateLimit({ rate: 20, burst: 50, overflow: 'coalesce', onDrop: (n) => console.warn(`${n} events dropped`) }))
 *   .subscribe(notify);
 * ```
 *
 * @see {@link throttleByKey}
 * @see {@link OverflowPolicy}
 */
export function rateLimit<V>(options: RateLimitOptions<V>): MonoTypeOperatorFunction<V> {
  const { overflow, onDrop } = options;
  const max = queueBound('rateLimit', overflow);
  const burst = options.burst ?? 1;
  checkRate('rateLimit', options.rate, burst);
  const scheduler = options.scheduler ?? asyncScheduler;
  const key = overflow === 'coalesce' ? (options.key ?? eventKey) : () => undefined;
  const merge = options.merge ?? mergeLatest;
  const dropOldest = typeof overflow === 'object' && overflow.whenFull === 'drop-oldest';

  return (source) =>
    new Observable<V>((subscriber) => {
      const bucket = new TokenBucket(options.rate, burst);
      // Waiting values in release order: keyed ones under their key, the rest under a number.
      const waiting = new Map<string | number, V>();
      let seq = 0;
      let timer: Subscription | undefined;
      let end: (() => void) | undefined;
      const fail = userCodeReporter(options.onError);
      const drop = dropCounter(onDrop, 'rateLimit onDrop', fail);
      // `timer` stays set while releasing, so values arriving re-entrantly just wait their turn.
      const release = (): void => {
        for (let first = waiting.entries().next(); !first.done; first = waiting.entries().next()) {
          const wait = bucket.take(scheduler.now());
          if (wait > 0) {
            timer = scheduler.schedule(release, wait);
            return;
          }
          waiting.delete(first.value[0]);
          subscriber.next(first.value[1]);
        }
        timer = undefined;
        end?.();
      };
      const subscription = source.subscribe({
        next: (value) => {
          const wait = waiting.size === 0 ? bucket.take(scheduler.now()) : 1;
          if (wait === 0) return subscriber.next(value);
          if (max === 0) return drop(value);
          const k = callKey(key, value, 'rateLimit key', fail, true);
          const held = k === undefined ? undefined : waiting.get(k);
          if (k !== undefined && held !== undefined) {
            const merged = callMerge(merge, held, value, 'rateLimit merge', fail);
            if (merged === undefined) waiting.delete(k);
            else waiting.set(k, merged);
          } else {
            if (waiting.size >= max) {
              if (!dropOldest) return subscriber.error(new QueueOverflowError('rateLimit', max));
              const oldest = waiting.entries().next().value as [string | number, V];
              waiting.delete(oldest[0]);
              drop(oldest[1]);
            }
            waiting.set(k ?? seq++, value);
          }
          timer ??= scheduler.schedule(release, wait);
        },
        error: (err: unknown) => {
          end = () => subscriber.error(err);
          if (timer === undefined) release();
        },
        complete: () => {
          end = () => subscriber.complete();
          if (timer === undefined) release();
        },
      });
      return () => {
        subscription.unsubscribe();
        timer?.unsubscribe();
        waiting.clear();
      };
    });
}
