import type { Observable, Subscription } from 'rxjs';
import type { CacheSyncOptions } from './cache-sync.js';
import type { KubeClient } from './client/kube-client.js';
import type { Write } from './client/write.js';
import type { InformerEvent } from './events.js';
import type { InformerHealth } from './health.js';
import type { WaitForOptions } from './read-your-writes.js';
import type { KubeObject } from './resources/kube-object.js';
import type { ResourceDescriptor } from './resources/resource.js';
import type { Indexers, Store } from './store.js';

/**
 * What an informer watches: a resource, optionally narrowed by namespace and selectors.
 *
 * @example
 * ```ts
 * const scope: InformerScope = { namespace: 'shop', labelSelector: 'app=web', fieldSelector: 'status.phase=Running' };
 * ```
 */
export interface InformerScope {
  /** Watch one namespace; omit for all namespaces (or a cluster-scoped resource). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Cache only `PartialObjectMetadata` (apiVersion, kind, metadata): far less memory. */
  metadataOnly?: boolean;
}

/**
 * Options of one informer, on top of its scope.
 *
 * @example
 * ```ts
 * const pods = informers.informer(Pods, {
 *   namespace: 'shop',
 *   indexers: { byNode: (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []) }, // unscheduled: no entry
 * });
 * pods.store.byIndex('byNode', 'node-a'); // the pods scheduled to node-a
 * ```
 */
export interface InformerOptions<T extends KubeObject> extends InformerScope {
  /** Extra indexes on the store; `namespace` is built in. */
  indexers?: Indexers<T>;
}

/**
 * Options of one subscription to an informer's events.
 *
 * @example
 * ```ts
 * pods.events({ resyncPeriod: 30_000 }).subscribe(reconcile);
 * ```
 */
export interface EventsOptions {
  /** Re-deliver every cached object as RESYNC this often (ms); 0 turns resync off. */
  resyncPeriod?: number;
}

/**
 * A shared, cold list+watch cache of one resource. Subscribing to any of its observables
 * starts it (one LIST and one WATCH however many subscribers); it stops a linger period after
 * the last subscriber leaves. Transient errors are retried inside and shown on `health$`;
 * fatal ones (401, 403, 404, invalid selector) reach `error` of every observable.
 *
 * @example
 * ```ts
 * const pods = informers.informer(Pods, { namespace: 'shop' });
 * pods.events$.subscribe((e) => console.log(e.type, e.type !== 'SYNCED' && objectKey(e.object)));
 * await pods.synced;
 * console.log(pods.store.size);
 * ```
 */
export interface Informer<T extends KubeObject> {
  readonly resource: ResourceDescriptor<T>;
  readonly scope: Readonly<InformerScope>;
  /** The cache. Empty until the informer has started; always current while it runs. */
  readonly store: Store<T>;
  /**
   * Change events with the factory's resync period. A late subscriber first receives the cache
   * as ADDED{initial} (and SYNCED if the informer has synced), then live events, each once, in order.
   */
  readonly events$: Observable<InformerEvent<T>>;
  /** `events$` with options of its own, such as a per-subscriber resync period. */
  events(options?: EventsOptions): Observable<InformerEvent<T>>;
  /** The cache as an immutable array: emitted once synced, then after each change (at most once a tick). */
  readonly items$: Observable<readonly T[]>;
  /** `false` until the first sync completes, then `true`; replays the current value. */
  readonly synced$: Observable<boolean>;
  /**
   * The current start's sync: one promise per start of the informer, the same however often it
   * is read. Resolves when the cache first syncs; rejects with the fatal error if the informer
   * fails first (and stays rejected until it starts again), or with {@link InformerStoppedError}
   * if it stops before syncing. Reading it starts nothing: while the informer is not running it
   * is rejected with {@link InformerStoppedError}; subscribe to something (or call `start()`) first.
   */
  readonly synced: Promise<void>;
  /**
   * Waits for the first sync with a deadline: resolves once synced, rejects with the fatal
   * error, and with a {@link CacheSyncError} (naming this informer, its phase and last error)
   * once `timeoutMs` passes or `signal` aborts. Unlike `synced`, it starts the informer and holds
   * it running while it waits (as `waitForCacheSync` does).
   *
   * @example
   * ```ts
   * await pods.waitForSync({ timeoutMs: 10_000 }); // CacheSyncError if the server cannot be reached
   * ```
   */
  waitForSync(options?: CacheSyncOptions): Promise<void>;
  /** The informer's state; replays the current value and emits on each change. */
  readonly health$: Observable<InformerHealth>;
  /** The current health snapshot. Reading it has no effect on `health$`. */
  readonly health: InformerHealth;
  /**
   * The client of the factory this informer came from, on the same connections: what a
   * controller's reconcile requests carry by default, so their writes are the ones this
   * informer's `waitFor` can confirm.
   */
  readonly client: KubeClient;
  /**
   * Keeps the informer running until the returned subscription is unsubscribed. Its `done`
   * settles when this hold ends: it resolves on unsubscribe or factory shutdown and rejects with
   * the fatal error that stopped the informer.
   */
  start(): InformerRun;
  /**
   * Read your writes: resolves once this informer's cache reflects a write the API server
   * accepted, so that code reading `store` (or reacting to `events$`) next sees it. Pass the
   * {@link Write} a client reports, or the object a write returned, which means "this object at
   * its resourceVersion".
   *
   * - A write that kept the object resolves once the informer has processed its
   *   resourceVersion or a later one (a list, an event or a bookmark), or once the cached
   *   object carries exactly that version. Kubernetes 1.35+ orders resourceVersions as
   *   integers; on a server whose versions are not integers (`health.resourceVersionOrder` is
   *   `'opaque'`) only the exact version counts.
   * - A deletion resolves once the cache no longer holds the object with that uid (it is gone,
   *   or a new object of that name has another uid), and, when the write names a
   *   resourceVersion and versions are ordered, once the informer has processed it, so a
   *   create it has not seen yet cannot satisfy the wait early.
   * - A write the informer never caches resolves at once: another namespace than the
   *   informer's, or an object outside its label or field selector that the cache does not
   *   hold. If the cache holds it (the write moved it out of the selector), the wait lasts
   *   until the object leaves the cache or its resourceVersion is processed.
   * - A write of another resource rejects with a TypeError, as does an object without a
   *   resourceVersion.
   *
   * It rejects with a `WaitForTimeoutError` after `timeoutMs` (default 5 000 ms, on the
   * informer's scheduler; 0 or Infinity for none), with the signal's `reason` when `signal`
   * aborts, and with {@link InformerStoppedError} (or the fatal error) when the informer is not
   * running, or stops or fails while waiting. Waiting starts nothing and does not keep the
   * informer running; every exit clears the timer and the abort listener.
   *
   * @example
   * ```ts
   * const configMaps = informers.informer(ConfigMaps, { namespace: 'shop' });
   * const run = configMaps.start();
   * const updated = await informers.client.resource(ConfigMaps).update(desired); // the object the server returned
   * await configMaps.waitFor(updated, { timeoutMs: 10_000 });
   * configMaps.store.get('shop/web'); // at updated's resourceVersion, or a later one
   * ```
   */
  waitFor(write: Write | KubeObject, options?: WaitForOptions): Promise<void>;
}

/**
 * A hold on a running informer, as `start()` returns it.
 *
 * @example
 * ```ts
 * const run = pods.start();
 * run.done.catch((err) => console.error('the pod informer failed:', err.message));
 * process.on('SIGTERM', () => run.unsubscribe());
 * ```
 */
export interface InformerRun extends Subscription {
  /** Resolves when the hold ends (unsubscribe, shutdown); rejects with the informer's fatal error. */
  readonly done: Promise<void>;
}
