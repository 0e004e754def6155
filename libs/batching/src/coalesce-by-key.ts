import {
  objectKey,
  userCodeReporter,
  type InformerEvent,
  type KubeObject,
  type ObjectEvent,
  type UserCodeError,
} from '@rxinformer/core';
import {
  asyncScheduler,
  Observable,
  type MonoTypeOperatorFunction,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import { mergeEvents } from './net-change.js';
import { callKey } from './user-code.js';

/**
 * Options of {@link coalesceByKey}.
 *
 * @example
 * ```ts
 * const options: CoalesceOptions<Wire<V1Pod>> = { window: 250, key: (pod) => pod.metadata?.uid ?? '' };
 * ```
 *
 * @see {@link coalesceByKey}
 */
export interface CoalesceOptions<T extends KubeObject> {
  /** How long (ms) events are held, from the first one of a window. */
  readonly window: number;
  /** Schedules the end of each window. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** The identity of an object. Default `objectKey` (`namespace/name`). */
  readonly key?: (object: T) => string;
  /**
   * Called when `key` throws or returns something that is not a string, with a
   * `UserCodeError` (naming the object's `namespace/name`, never its content; the throw as
   * `cause`) and the running count of failures. The event is not lost: it is passed on at
   * once, after what is held. A throwing `onError` is ignored.
   *
   * @example
   * ```ts
   * pods.events$
   *   .pipe(coalesceByKey({ window: 250, onError: (e, n) => n % 1000 === 1 && console.warn(e.message, n) }))
   *   .subscribe(render);
   * ```
   */
  readonly onError?: (error: UserCodeError, failures: number) => void;
}

/**
 * Holds informer events for `window` ms (from the first event of a window) and emits, per
 * object, the one event with the net effect, in the order objects first appeared:
 *
 * | held, then           | emitted                                                        |
 * |----------------------|----------------------------------------------------------------|
 * | ADDED, MODIFIED…     | ADDED with the latest object (`initial` of the ADDED)          |
 * | ADDED, …, DELETED    | nothing: the consumer never saw the object                     |
 * | MODIFIED, MODIFIED…  | MODIFIED: `previous` of the first, `object` of the last         |
 * | …, DELETED           | DELETED (the last one) when the object existed before          |
 * | DELETED, ADDED       | MODIFIED: `previous` is the deleted object; compare `metadata.uid` to see a re-creation |
 * | RESYNC, RESYNC       | RESYNC (the last); a RESYNC mixed with changes counts as no change |
 *
 * SYNCED is never held: the pending window is flushed, then SYNCED is emitted, so it keeps its
 * place. Completion and errors flush first too. Unsubscribing drops what is held.
 *
 * When your `key` throws (or returns something that is not a string), the event is handled as
 * SYNCED is: what is held is flushed, then the event is emitted as it came, un-coalesced, so it
 * is never lost, never merged with another object's and never overtakes an older event; the
 * failure goes to `onError` as a `UserCodeError`. The stream does not error for it.
 *
 * ```
 * source:  -a-m-d-x-n-S---|    (a ADDED p, m MODIFIED p, d DELETED p, x ADDED q, n MODIFIED q, S SYNCED; window 20)
 * result:  -----------(XS)|    (S flushes early: X = ADDED q with n's object; p cancelled out)
 * ```
 *
 * @example
 * ```ts
 * import { coalesceByKey } from '@rxinformer/batching';
 *
 * pods.events$.pipe(coalesceByKey({ window: 250 })).subscribe((e) => render(e));
 * ```
 *
 * @see {@link batchEvents}
 * @see {@link dedupe}
 */
export function coalesceByKey<T extends KubeObject>(
  options: CoalesceOptions<T>,
): MonoTypeOperatorFunction<InformerEvent<T>> {
  const { window } = options;
  if (!(window >= 0) || window === Infinity)
    throw new RangeError(`coalesceByKey: window must be a finite number >= 0, got ${window}`);
  const scheduler = options.scheduler ?? asyncScheduler;
  const key = options.key ?? objectKey;

  return (source) =>
    new Observable<InformerEvent<T>>((subscriber) => {
      const fail = userCodeReporter(options.onError);
      let pending = new Map<string, ObjectEvent<T>>();
      let timer: Subscription | undefined;
      const flush = (): void => {
        timer?.unsubscribe();
        timer = undefined;
        if (pending.size === 0) return;
        const held = pending;
        pending = new Map();
        for (const event of held.values()) subscriber.next(event);
      };
      const subscription = source.subscribe({
        next: (event) => {
          const k =
            event.type === 'SYNCED'
              ? undefined
              : callKey(key, event.object, 'coalesceByKey key', fail, false);
          if (k === undefined || event.type === 'SYNCED') {
            flush();
            subscriber.next(event);
            return;
          }
          const held = pending.get(k);
          const merged = held === undefined ? event : mergeEvents(held, event);
          if (merged === undefined) pending.delete(k);
          else pending.set(k, merged);
          if (timer === undefined && pending.size > 0) timer = scheduler.schedule(flush, window);
        },
        error: (err: unknown) => {
          flush();
          subscriber.error(err);
        },
        complete: () => {
          flush();
          subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        timer?.unsubscribe();
        pending.clear();
      };
    });
}
