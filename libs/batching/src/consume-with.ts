import { keyOfValue, userCodeReporter, UserCodeError } from '@rxinformer/core';
import { from, Observable, Subscription, type ObservableInput, type OperatorFunction } from 'rxjs';
import { eventKey } from './event-key.js';
import { mergeLatest } from './net-change.js';
import { QueueOverflowError } from './queue-overflow-error.js';
import { callKey, callMerge, dropCounter } from './user-code.js';

/**
 * Options of {@link consumeWith}.
 *
 * @example
 * ```ts
 * const options: ConsumeOptions<InformerEvent> = { queueSize: 1000, overflow: 'coalesce-by-key' };
 * ```
 *
 * @see {@link consumeWith}
 */
export interface ConsumeOptions<V> {
  /** How many values may wait while the handler is busy (a positive integer). */
  readonly queueSize: number;
  /**
   * What happens when a value arrives and `queueSize` values wait:
   * - `'coalesce-by-key'`: a value whose key already waits is always merged into it (net change
   *   for informer events), so it never needs room; a value with a new key drops the oldest.
   * - `'drop-oldest'`: the oldest waiting value is dropped.
   * - `'error'`: the stream fails with a {@link QueueOverflowError}.
   */
  readonly overflow: 'coalesce-by-key' | 'drop-oldest' | 'error';
  /** `'coalesce-by-key'` only: the key of a value, `undefined` for none. Default {@link eventKey}. */
  readonly key?: (value: V) => string | undefined;
  /** `'coalesce-by-key'` only: merges a waiting value with a newer one; `undefined` drops both. */
  readonly merge?: (waiting: V, next: V) => V | undefined;
  /** Called on each dropped value with the running count of dropped values. */
  readonly onDrop?: (dropped: number, value: V) => void;
  /**
   * Called when user code other than the failure that ends the stream fails: `key` throws or
   * returns neither a string nor `undefined` (the value then waits in order, as one without a
   * key), `merge` throws (the default merge is used instead), `onDrop` throws, or the handler
   * fails again while what waited is handled after a first failure. It gets a `UserCodeError`
   * (naming the object's `namespace/name`, never its content; the throw as `cause`) and the
   * running count of failures. A throwing `onError` is ignored.
   *
   * @example
   * ```ts
   * events$.pipe(
   *   consumeWith(save, { queueSize: 100, overflow: 'coalesce-by-key', onError: (e) => console.warn(e.message) }),
   * );
   * ```
   */
  readonly onError?: (error: UserCodeError, failures: number) => void;
}

/**
 * Hands each value to an async `handler`, one call at a time, through a bounded queue of its
 * own: the source is always read at once (never paused), so a slow handler holds up neither
 * the informer nor the other subscribers of a shared stream; what it cannot keep up with is
 * coalesced, dropped or turned into an error as `overflow` says, and memory stays bounded by
 * `queueSize` plus the value in hand. Emits each value after its handler call is done (a
 * Promise resolved, an Observable completed, or a plain return), so the result can be counted
 * or acknowledged. On completion or error of the source, the waiting values are still handled,
 * then the completion or error is forwarded. Unsubscribing cancels the call in hand (when it
 * is an Observable) and drops the queue.
 *
 * A handler failure (a throw, a rejection, an Observable error, or a result that is not an
 * `ObservableInput`) fails the stream without losing what was queued: the source is no longer
 * read, the values already waiting are still handled (and emitted), then the stream errors
 * with a `UserCodeError` naming the failed value's object (`namespace/name`, never its
 * content) with the handler's error as `cause`. A failing `key`, `merge` or `onDrop` never
 * fails the stream: see `onError`.
 *
 * ```
 * source:   -abc------|    (the handler takes 3 frames; queueSize 1, overflow 'drop-oldest')
 * handled:  -a--c---       (a at once; b waits, then c pushes it out; c when a is done)
 * result:   ----a--c--|
 * ```
 *
 * @example
 * ```ts
 * import { share } from 'rxjs';
 * import { consumeWith } from '@rxinformer/batching';
 *
 * const webhook = 'https://hooks.example.com/pods';
 * const cache = new Map<string, unknown>();
 * const events$ = pods.events$.pipe(share());
 * events$.subscribe((e) => e.type !== 'SYNCED' && cache.set(objectKey(e.object), e.object)); // fast
 * events$
 *   .pipe(consumeWith((e) => fetch(webhook, { method: 'POST', body: JSON.stringify(e) }).then(() => undefined), {
 *     queueSize: 1000,
 *     overflow: 'coalesce-by-key',
 *   }))
 *   .subscribe();
 * ```
 *
 * @see {@link batchEvents}
 * @see {@link rateLimit}
 */
export function consumeWith<V>(
  handler: (value: V) => ObservableInput<unknown> | void,
  options: ConsumeOptions<V>,
): OperatorFunction<V, V> {
  const { queueSize, overflow, onDrop } = options;
  if (!Number.isInteger(queueSize) || queueSize < 1)
    throw new RangeError(`consumeWith: queueSize must be a positive integer, got ${queueSize}`);
  const key = overflow === 'coalesce-by-key' ? (options.key ?? eventKey) : () => undefined;
  const merge = options.merge ?? mergeLatest;

  return (source) =>
    new Observable<V>((subscriber) => {
      // Waiting values in order: keyed ones under their key, the rest under a number.
      const waiting = new Map<string | number, V>();
      let seq = 0;
      let inHand: Subscription | undefined;
      // Unsubscribed on a handler failure; a subscription added after that ends at once.
      const upstream = new Subscription();
      let busy = false;
      let pumping = false;
      let end: (() => void) | undefined;
      // The first handler failure: the source is no longer read, what waits is still handled.
      let failure: UserCodeError | undefined;
      const fail = userCodeReporter(options.onError);

      const handlerFailed = (value: V, cause: unknown): void => {
        if (failure !== undefined) return fail('consumeWith handler', value, cause);
        const error = new UserCodeError('callback', keyOfValue(value), cause, {
          source: 'consumeWith handler',
        });
        failure = error;
        end = () => subscriber.error(error);
        upstream.unsubscribe();
      };
      const handle = (value: V): void => {
        let call: Observable<unknown> | undefined;
        try {
          const result = handler(value);
          if (result !== undefined && result !== null) call = from(result);
        } catch (err) {
          return handlerFailed(value, err);
        }
        if (call === undefined) return subscriber.next(value);
        busy = true;
        let settled = false;
        const settle = (): void => {
          settled = true;
          busy = false;
          inHand = undefined;
        };
        inHand = call.subscribe({
          error: (err: unknown) => {
            settle();
            handlerFailed(value, err);
            if (!pumping) pump();
          },
          complete: () => {
            settle();
            subscriber.next(value);
            if (!pumping) pump();
          },
        });
        if (settled) inHand = undefined;
      };
      const pump = (): void => {
        pumping = true;
        while (!busy && !subscriber.closed) {
          const first = waiting.entries().next();
          if (first.done) break;
          waiting.delete(first.value[0]);
          handle(first.value[1]);
        }
        pumping = false;
        if (!busy && waiting.size === 0) end?.();
      };
      const drop = dropCounter(onDrop, 'consumeWith onDrop', fail);
      upstream.add(
        source.subscribe({
          next: (value) => {
            // A synchronous source may go on before it can be unsubscribed.
            if (failure !== undefined) return;
            const k = callKey(key, value, 'consumeWith key', fail, true);
            const held = k === undefined ? undefined : waiting.get(k);
            if (k !== undefined && held !== undefined) {
              const merged = callMerge(merge, held, value, 'consumeWith merge', fail);
              if (merged === undefined) waiting.delete(k);
              else waiting.set(k, merged);
            } else {
              if (waiting.size >= queueSize) {
                if (overflow === 'error')
                  return subscriber.error(new QueueOverflowError('consumeWith', queueSize));
                const oldest = waiting.entries().next().value as [string | number, V];
                waiting.delete(oldest[0]);
                drop(oldest[1]);
              }
              waiting.set(k ?? seq++, value);
            }
            if (!busy && !pumping) pump();
          },
          error: (err: unknown) => {
            if (failure !== undefined) return;
            end = () => subscriber.error(err);
            if (!busy && !pumping && waiting.size === 0) end();
          },
          complete: () => {
            if (failure !== undefined) return;
            end = () => subscriber.complete();
            if (!busy && !pumping && waiting.size === 0) end();
          },
        }),
      );
      return () => {
        upstream.unsubscribe();
        inHand?.unsubscribe();
        waiting.clear();
      };
    });
}
