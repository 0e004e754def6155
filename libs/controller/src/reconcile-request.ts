import type { KubeClient, KubeObject } from '@rxinformer/core';

/**
 * What a reconcile is asked to do: bring the object at `key` to its desired state.
 *
 * @example
 * ```ts
 * declare function desiredConfigMap(site: Website): Wire<V1ConfigMap>; // yours
 * const reconcile: Reconciler<Website> = async ({ object, namespace, signal, client }) => {
 *   if (!object) return; // deleted: owned objects are garbage-collected
 *   const configMaps = client.resource(ConfigMaps, { namespace });
 *   await configMaps.apply(desiredConfigMap(object), { fieldManager: 'website-operator', force: true, signal });
 * };
 * ```
 */
export interface ReconcileRequest<T extends KubeObject> {
  /** `namespace/name`, or `name` for cluster-scoped objects. */
  readonly key: string;
  readonly namespace: string | undefined;
  readonly name: string;
  /** The current object from the `for` informer's cache; `undefined` if it no longer exists. */
  readonly object: T | undefined;
  /**
   * Aborted when a newer version of the object (an event of the `for` informer) supersedes this
   * reconcile, when the controller stops, fails or loses the key, and after `reconcileTimeoutMs`
   * (its `reason` is then a `TimeoutError` DOMException). Pass it on to every request.
   */
  readonly signal: AbortSignal;
  /**
   * The client to write with: the controller records what this reconcile writes through it
   * (creates, updates, patches, applies, deletes, status and scale), and holds the key back
   * until its caches (`for`, `owns`, `watches`) show those writes, so the next reconcile of this
   * key never acts on a cache older than its own writes (read-your-writes, client-go's
   * expectations). Writes through another client are not waited for.
   */
  readonly client: KubeClient;
}

/**
 * How a reconcile ended, when it did not throw: nothing (done), `requeue` (again, with the
 * rate limiter's backoff) or `requeueAfterMs` (again after a fixed delay; done until then).
 *
 * @example
 * ```ts
 * const reconcile: Reconciler<Website> = async () => ({ requeueAfterMs: 30_000 }); // poll an external system
 * ```
 */
export interface ReconcileOutcome {
  requeue?: boolean;
  requeueAfterMs?: number;
}

/**
 * The user's reconcile function. Level-triggered: it reads the current state and converges it,
 * whatever events led there. Throwing (synchronously or by rejecting) retries the key with
 * backoff, and so does not settling within the controller's `reconcileTimeoutMs`; the loop goes
 * on, and the error shows on the controller's `status$` as a `UserCodeError`.
 *
 * @example
 * ```ts
 * const reconcile: Reconciler<Wire<V1ConfigMap>> = ({ object }) => (object ? undefined : { requeueAfterMs: 1000 });
 * ```
 */
export type Reconciler<T extends KubeObject> = (
  request: ReconcileRequest<T>,
) => Promise<ReconcileOutcome | void> | ReconcileOutcome | void;
