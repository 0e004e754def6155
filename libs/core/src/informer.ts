import type { Observable, Subscription } from 'rxjs';
import type { InformerEvent } from './events.js';
import type { InformerHealth } from './health.js';
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
 * informers.informer(Pods, { namespace: 'shop', indexers: { byNode: (p) => [p.spec?.nodeName ?? ''] } });
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
  /** The informer's state; replays the current value and emits on each change. */
  readonly health$: Observable<InformerHealth>;
  /** The current health snapshot. Reading it has no effect on `health$`. */
  readonly health: InformerHealth;
  /**
   * Keeps the informer running until the returned subscription is unsubscribed. Its `done`
   * settles when this hold ends: it resolves on unsubscribe or factory shutdown and rejects with
   * the fatal error that stopped the informer.
   */
  start(): InformerRun;
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
