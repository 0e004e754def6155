import type { KubeObject } from './resources/kube-object.js';

/**
 * An object entered the cache. `initial` is true while the informer replays the cache: the
 * first LIST, and the cache a late subscriber receives before live events.
 *
 * @example
 * ```ts
 * if (event.type === 'ADDED' && !event.initial) console.log('created', objectKey(event.object));
 * ```
 */
export interface AddedEvent<T extends KubeObject> {
  readonly type: 'ADDED';
  readonly object: T;
  readonly initial: boolean;
}

/**
 * An object in the cache changed; `previous` is the version the cache held before.
 *
 * @example
 * ```ts
 * deployments.events$.subscribe((event) => {
 *   if (event.type === 'MODIFIED' && event.previous.spec?.replicas !== event.object.spec?.replicas) console.log('scaled');
 * });
 * ```
 */
export interface ModifiedEvent<T extends KubeObject> {
  readonly type: 'MODIFIED';
  readonly object: T;
  readonly previous: T;
}

/**
 * An object left the cache. `finalStateUnknown` is true when the informer learned of the
 * deletion from a relist rather than a watch event, so `object` is the last state it saw
 * (client-go's `DeletedFinalStateUnknown`).
 *
 * @example
 * ```ts
 * const seen = new Set<string>();
 * if (event.type === 'DELETED') seen.delete(objectKey(event.object));
 * ```
 */
export interface DeletedEvent<T extends KubeObject> {
  readonly type: 'DELETED';
  readonly object: T;
  readonly finalStateUnknown: boolean;
}

/**
 * A periodic resync: the cached object, unchanged, re-delivered so level-triggered consumers
 * can reconcile it again.
 *
 * @example
 * ```ts
 * pods.events({ resyncPeriod: 60_000 }).pipe(filter((e) => e.type === 'RESYNC'));
 * ```
 */
export interface ResyncEvent<T extends KubeObject> {
  readonly type: 'RESYNC';
  readonly object: T;
}

/**
 * The cache holds the complete state of the first LIST. Sent once per subscriber (live, or
 * right after the replay for a late subscriber).
 *
 * @example
 * ```ts
 * pods.events$.pipe(first((e) => e.type === 'SYNCED'));
 * ```
 */
export interface SyncedEvent {
  readonly type: 'SYNCED';
  /** Number of objects in the cache when it synced. */
  readonly size: number;
  readonly resourceVersion: string;
}

/**
 * What `events$` emits: the change notifications of an informer.
 *
 * @example
 * ```ts
 * const cache = new Map<string, Wire<V1Pod>>();
 * pods.events$.subscribe((e) => {
 *   switch (e.type) {
 *     case 'ADDED': case 'MODIFIED': case 'RESYNC': cache.set(objectKey(e.object), e.object); break;
 *     case 'DELETED': cache.delete(objectKey(e.object)); break;
 *     case 'SYNCED': console.log(`synced: ${e.size} pods`); break;
 *   }
 * });
 * ```
 */
export type InformerEvent<T extends KubeObject = KubeObject> =
  AddedEvent<T> | ModifiedEvent<T> | DeletedEvent<T> | ResyncEvent<T> | SyncedEvent;

/**
 * The informer events that carry an object (every type but SYNCED).
 *
 * @example
 * ```ts
 * const objectEvents = pods.events$.pipe(filter(hasObject));
 * ```
 */
export type ObjectEvent<T extends KubeObject = KubeObject> = Exclude<InformerEvent<T>, SyncedEvent>;

/**
 * Narrows an informer event to one that carries an object.
 *
 * @example
 * ```ts
 * pods.events$.pipe(filter(hasObject), map((e) => e.object.metadata?.name));
 * ```
 */
export function hasObject<T extends KubeObject>(event: InformerEvent<T>): event is ObjectEvent<T> {
  return event.type !== 'SYNCED';
}
