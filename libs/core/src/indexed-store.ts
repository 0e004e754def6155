import { UserCodeError } from './errors.js';
import { objectKey, type KubeObject } from './resources/kube-object.js';
import type { IndexFunc, Indexers, Store } from './store.js';

const EMPTY: readonly never[] = Object.freeze([]);

const namespaceIndex: IndexFunc<KubeObject> = (object) =>
  object.metadata?.namespace ? [object.metadata.namespace] : EMPTY;

/**
 * An object with its index values, computed (user code run) before anything in the store
 * changes: a throwing index function leaves the store as it was.
 */
export interface IndexedEntry<T extends KubeObject> {
  readonly key: string;
  readonly object: T;
  /** The values of each index, in the order of the store's indexers. */
  readonly values: readonly (readonly string[])[];
}

/**
 * The cache behind an informer: a map by key plus the indexes. Users see it through the
 * read-only {@link Store} interface; only the informer calls `entryFor`, `commit`, `remove` and
 * `clear`. Index functions run once per stored version of an object, in `entryFor`; a throw there
 * becomes a {@link UserCodeError} naming the index and the key, with the store unchanged.
 */
export class IndexedStore<T extends KubeObject> implements Store<T> {
  private readonly objects = new Map<string, T>();
  /** key -> the values it is indexed under, per indexer: what `remove` and updates undo. */
  private readonly indexed = new Map<string, (readonly string[])[]>();
  private readonly names: string[] = [];
  private readonly fns: IndexFunc<T>[] = [];
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

  /**
   * Adds indexes (client-go's `AddIndexers`), indexing what is already cached. If an index
   * function throws on a cached object, no index is added and the {@link UserCodeError} is thrown.
   */
  addIndexers(indexers: Indexers<T>): void {
    const added = Object.entries(indexers).filter(([name]) => !this.indexes.has(name));
    const built = added.map(([name, fn]) => {
      const index = new Map<string, Set<string>>();
      const values = new Map<string, readonly string[]>();
      for (const [key, object] of this.objects) {
        const v = indexValuesOf(name, fn, key, object);
        values.set(key, v);
        addTo(index, v, key);
      }
      return { name, fn, index, values };
    });
    for (const { name, fn, index, values } of built) {
      this.names.push(name);
      this.fns.push(fn);
      this.indexes.set(name, index);
      for (const [key, v] of values) this.indexed.get(key)!.push(v);
    }
  }

  /** Runs the index functions on `object`; throws {@link UserCodeError} and changes nothing if one throws. */
  entryFor(key: string, object: T): IndexedEntry<T> {
    const values: (readonly string[])[] = new Array(this.fns.length);
    for (let i = 0; i < this.fns.length; i++)
      values[i] = indexValuesOf(this.names[i]!, this.fns[i]!, key, object);
    return { key, object, values };
  }

  /** Stores an entry made by `entryFor` and returns what it replaced. Runs no user code. */
  commit(entry: IndexedEntry<T>): T | undefined {
    const { key, object, values } = entry;
    const previous = this.objects.get(key);
    const before = this.indexed.get(key);
    this.objects.set(key, object);
    this.indexed.set(key, values as (readonly string[])[]);
    this.snapshot = undefined;
    for (let i = 0; i < values.length; i++) {
      const index = this.indexes.get(this.names[i]!)!;
      const after = values[i]!;
      if (before) {
        // Most updates leave index values alone (a pod stays in its namespace): skip the churn.
        if (sameValues(before[i]!, after)) continue;
        removeFrom(index, before[i]!, key);
      }
      addTo(index, after, key);
    }
    return previous;
  }

  /** Stores `object` under `key` and returns what it replaced (`entryFor` then `commit`). */
  upsert(key: string, object: T): T | undefined {
    return this.commit(this.entryFor(key, object));
  }

  /** Removes the object under `key` and returns it. Runs no user code. */
  remove(key: string): T | undefined {
    const previous = this.objects.get(key);
    if (previous === undefined) return undefined;
    const values = this.indexed.get(key)!;
    this.objects.delete(key);
    this.indexed.delete(key);
    this.snapshot = undefined;
    for (let i = 0; i < values.length; i++) removeFrom(this.indexes.get(this.names[i]!)!, values[i]!, key);
    return previous;
  }

  clear(): void {
    this.objects.clear();
    this.indexed.clear();
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

/** Calls an index function behind the guard: a throw or a result that is not a string array is a {@link UserCodeError}. */
function indexValuesOf<T extends KubeObject>(
  name: string,
  fn: IndexFunc<T>,
  key: string,
  object: T,
): readonly string[] {
  let values: readonly string[];
  try {
    values = fn(object);
  } catch (cause) {
    throw new UserCodeError('indexer', key, cause, { source: name });
  }
  if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) {
    throw new UserCodeError(
      'indexer',
      key,
      new TypeError('an index function must return an array of strings'),
      {
        source: name,
      },
    );
  }
  return values;
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
