import type { KubeObject } from './resources/kube-object.js';

/**
 * An index function: the values an object is indexed under (client-go's `IndexFunc`). Return
 * an empty array to leave the object out of the index.
 *
 * @example
 * ```ts
 * const byNode: IndexFunc<Wire<V1Pod>> = (pod) => (pod.spec?.nodeName ? [pod.spec.nodeName] : []);
 * ```
 */
export type IndexFunc<T extends KubeObject> = (object: T) => readonly string[];

/**
 * Named index functions for a store. The `namespace` index is always present.
 *
 * @example
 * ```ts
 * const indexers: Indexers<Wire<V1Pod>> = { byNode: (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []) };
 * ```
 */
export type Indexers<T extends KubeObject> = Readonly<Record<string, IndexFunc<T>>>;

/**
 * The read-only view of an informer's cache. Objects are frozen: subscribers cannot change
 * what other subscribers see. Lists are snapshots: they do not change after they are returned.
 *
 * @example
 * ```ts
 * const pod = pods.store.get('shop/web-1');
 * const onNode = pods.store.byIndex('byNode', 'node-a');
 * const inShop = pods.store.byIndex('namespace', 'shop');
 * ```
 */
export interface Store<T extends KubeObject> {
  /** The object with this key (`namespace/name`, or `name` at cluster scope). */
  get(key: string): T | undefined;
  has(key: string): boolean;
  /** Every cached object; the same array instance until the cache changes. */
  list(): readonly T[];
  keys(): readonly string[];
  /** The objects an index maps `value` to; throws {@link RangeError} for an unknown index. */
  byIndex(indexName: string, value: string): readonly T[];
  /** The values an index holds, such as every namespace with cached objects. */
  indexValues(indexName: string): readonly string[];
  readonly size: number;
}
