import type { KubeObject } from '../resources/kube-object.js';
import type { ResourceDescriptor } from '../resources/resource.js';

/**
 * One write the API server accepted, as read-your-writes needs it: which object, and what a
 * cache must have processed to show it. A {@link KubeClient} reports one for every successful
 * write that is not a dry run; `informer.waitFor(write)` resolves once that informer's cache
 * reflects it.
 *
 * - After a create, update, patch or apply, `object` is the server's answer and
 *   `resourceVersion` its version: the cache must have processed that version (or a later one).
 * - After a delete that removed the object, `deleted` is true: the cache must no longer hold the
 *   object with that `uid` (and, when `resourceVersion` is known, must have reached it first).
 * - After a delete that only marked the object (finalizers, a grace period), `deleted` is false
 *   and `object` carries its `deletionTimestamp`, like an update.
 *
 * @example
 * ```ts
 * const write: Write = {
 *   resource: ConfigMaps, namespace: 'shop', name: 'web', uid: 'a1b2', resourceVersion: '1234',
 *   deleted: false, object: undefined,
 * };
 * await informers.informer(ConfigMaps).waitFor(write, { timeoutMs: 5_000 });
 * ```
 */
export interface Write<T extends KubeObject = KubeObject> {
  readonly resource: ResourceDescriptor;
  /** The object's namespace; undefined for a cluster-scoped object. */
  readonly namespace: string | undefined;
  readonly name: string;
  /** The written object's uid, when known. */
  readonly uid: string | undefined;
  /**
   * The version a cache must reach: the server's resourceVersion of the written object, or
   * for a delete the last version the writer knew (undefined when it knew none).
   */
  readonly resourceVersion: string | undefined;
  /** True when the write removed the object. */
  readonly deleted: boolean;
  /** The server's object after the write; undefined after a delete that removed it. */
  readonly object: T | undefined;
}
