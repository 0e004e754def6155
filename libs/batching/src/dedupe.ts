import {
  objectKey,
  userCodeReporter,
  type InformerEvent,
  type KubeObject,
  type UserCodeError,
} from '@rxinformer/core';
import { defer, filter, type MonoTypeOperatorFunction } from 'rxjs';
import { callKey } from './user-code.js';

/**
 * Options of {@link dedupe}.
 *
 * @example
 * ```ts
 * const options: DedupeOptions<Wire<V1Pod>> = { maxKeys: 200_000 };
 * ```
 *
 * @see {@link dedupe}
 */
export interface DedupeOptions<T extends KubeObject> {
  /** How many objects to remember; the least recently seen is forgotten beyond it. Default 65 536. */
  readonly maxKeys?: number;
  /** The identity of an object. Default `objectKey` (`namespace/name`). */
  readonly key?: (object: T) => string;
  /**
   * Called when `key` throws or returns something that is not a string, with a
   * `UserCodeError` (naming the object's `namespace/name`, never its content; the throw as
   * `cause`) and the running count of failures. The event passes (a duplicate cannot be told
   * without a key). A throwing `onError` is ignored.
   *
   * @example
   * ```ts
   * pods.events$.pipe(dedupe({ key: (pod) => pod.metadata?.uid ?? '', onError: (e) => console.warn(e.message) }));
   * ```
   */
  readonly onError?: (error: UserCodeError, failures: number) => void;
}

/**
 * Drops an ADDED or MODIFIED whose object has the same resourceVersion as the last ADDED or
 * MODIFIED passed for that key: the duplicates a relist, a replay to a resubscribing consumer
 * or a reconnect can deliver. ADDED and MODIFIED count as one type here (both say "the object
 * is in this state"), so a replayed ADDED{initial} of a state already seen as MODIFIED is
 * dropped too. What always passes: RESYNC (re-delivery is its purpose), DELETED (even at the
 * resourceVersion last seen, as a relist's `finalStateUnknown` deletion is), SYNCED, and
 * objects without a resourceVersion.
 *
 * Memory is bounded: a DELETED forgets its key, and beyond `maxKeys` the least recently seen
 * key is forgotten (its next duplicate then passes: at-least-once, never lost). State is per
 * subscription: put `dedupe` after a `retry` so it spans resubscriptions. When your `key`
 * throws (or returns something that is not a string), the event passes too, and the failure
 * goes to `onError` as a `UserCodeError`; the stream does not error for it.
 *
 * ```
 * source:  -a-b-A-r-d-A-|   (a ADDED p@1, b MODIFIED p@2, A ADDED{initial} p@2, r RESYNC p@2, d DELETED p@2)
 * result:  -a-b---r-d-A-|   (the first A repeats p@2; after d the key is forgotten)
 * ```
 *
 * @example
 * ```ts
 * import { retry } from 'rxjs';
 * import { dedupe } from '@rxinformer/batching';
 *
 * pods.events$.pipe(retry({ delay: 1000 }), dedupe({ maxKeys: 100_000 })).subscribe(handle);
 * ```
 *
 * @see {@link coalesceByKey}
 */
export function dedupe<T extends KubeObject>(
  options: DedupeOptions<T> = {},
): MonoTypeOperatorFunction<InformerEvent<T>> {
  const maxKeys = options.maxKeys ?? 65_536;
  if (!Number.isInteger(maxKeys) || maxKeys < 1)
    throw new RangeError(`dedupe: maxKeys must be a positive integer, got ${maxKeys}`);
  const key = options.key ?? objectKey;

  return (source) =>
    defer(() => {
      // key -> resourceVersion of the last ADDED/MODIFIED passed; Map order is recency order.
      const seen = new Map<string, string>();
      const fail = userCodeReporter(options.onError);
      return source.pipe(
        filter((event) => {
          if (event.type === 'SYNCED' || event.type === 'RESYNC') return true;
          const k = callKey(key, event.object, 'dedupe key', fail, false);
          if (k === undefined) return true;
          if (event.type === 'DELETED') {
            seen.delete(k);
            return true;
          }
          const rv = event.object.metadata?.resourceVersion;
          if (!rv) return true;
          const last = seen.get(k);
          if (last !== undefined) seen.delete(k);
          seen.set(k, rv);
          if (last === rv) return false;
          if (last === undefined && seen.size > maxKeys) seen.delete(seen.keys().next().value as string);
          return true;
        }),
      );
    });
}
