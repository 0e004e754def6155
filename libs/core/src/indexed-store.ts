import { objectKey, type KubeObject } from './resources/kube-object.js';
import type { IndexFunc, Indexers, Store } from './store.js';

const EMPTY: readonly never[] = Object.freeze([]);

const namespaceIndex: IndexFunc<KubeObject> = (object) =>
  object.metadata?.namespace ? [object.metadata.namespace] : EMPTY;

/**
 * The cache behind an informer: a map by key plus the indexes. Users see it through the
 * read-only {@link Store} interface; only the informer calls `upsert`, `remove` and `clear`.
 */
export class IndexedStore<T extends KubeObject> implements Store<T> {
  private readonly objects = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  /** index name -> value -> keys */
  private readonly indexes = new Map<string, Map<string, Set<string>>>();
  private snapshot: readonly T[] | undefined;

  constructor(indexers: Indexers<T> = {}) {
    this.addIndexers({ namespace: namespaceIndex, ...indexers });
  }

  get size(): number {
    return this.objects.size;
  }

  get(key: string): T | undefined {
    return this.objects.get(key);
  }

  has(key: string): boolean {
    return this.objects.has(key);
  }

  list(): readonly T[] {
    this.snapshot ??= Object.freeze([...this.objects.values()]);
    return this.snapshot;
  }

  keys(): readonly string[] {
    return [...this.objects.keys()];
  }

  byIndex(indexName: string, value: string): readonly T[] {
    const keys = this.index(indexName).get(value);
    if (!keys) return EMPTY;
    const out: T[] = [];
    for (const key of keys) {
      const object = this.objects.get(key);
      if (object) out.push(object);
    }
    return out;
  }

  indexValues(indexName: string): readonly string[] {
    return [...this.index(indexName).keys()];
  }

  /** Adds indexes (client-go's `AddIndexers`), indexing what is already cached. */
  addIndexers(indexers: Indexers<T>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      if (this.indexers.has(name)) continue;
      this.indexers.set(name, fn);
      const index = new Map<string, Set<string>>();
      this.indexes.set(name, index);
      for (const [key, object] of this.objects) addTo(index, fn(object), key);
    }
  }

  /** Stores `object` under `key` and returns what it replaced. */
  upsert(key: string, object: T): T | undefined {
    const previous = this.objects.get(key);
    this.objects.set(key, object);
    this.snapshot = undefined;
    for (const [name, fn] of this.indexers) {
      const index = this.indexes.get(name)!;
      const after = fn(object);
      if (previous) {
        const before = fn(previous);
        // Most updates leave index values alone (a pod stays in its namespace): skip the churn.
        if (sameValues(before, after)) continue;
        removeFrom(index, before, key);
      }
      addTo(index, after, key);
    }
    return previous;
  }

  /** Removes the object under `key` and returns it. */
  remove(key: string): T | undefined {
    const previous = this.objects.get(key);
    if (previous === undefined) return undefined;
    this.objects.delete(key);
    this.snapshot = undefined;
    for (const [name, fn] of this.indexers) removeFrom(this.indexes.get(name)!, fn(previous), key);
    return previous;
  }

  clear(): void {
    this.objects.clear();
    this.snapshot = undefined;
    for (const index of this.indexes.values()) index.clear();
  }

  keyOf(object: T): string {
    return objectKey(object);
  }

  private index(name: string): Map<string, Set<string>> {
    const index = this.indexes.get(name);
    if (!index)
      throw new RangeError(
        `store has no index named '${name}' (known: ${[...this.indexes.keys()].join(', ')})`,
      );
    return index;
  }
}

function sameValues(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function addTo(index: Map<string, Set<string>>, values: readonly string[], key: string): void {
  for (const value of values) {
    let keys = index.get(value);
    if (!keys) index.set(value, (keys = new Set()));
    keys.add(key);
  }
}

function removeFrom(index: Map<string, Set<string>>, values: readonly string[], key: string): void {
  for (const value of values) {
    const keys = index.get(value);
    if (!keys) continue;
    keys.delete(key);
    if (keys.size === 0) index.delete(value);
  }
}
