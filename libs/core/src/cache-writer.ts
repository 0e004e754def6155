import { UserCodeError } from './errors.js';
import type { InformerEvent } from './events.js';
import type { HealthTracker } from './health-tracker.js';
import type { IndexedEntry, IndexedStore } from './indexed-store.js';
import type { ReflectorEvent } from './reflector-events.js';
import { objectKey, type KubeObject } from './resources/kube-object.js';

/**
 * Applies a reflector's events to the store and says what changed, as informer events.
 *
 * The first list fills the store as it arrives (a new key is ADDED{initial}), so a large first
 * sync streams. A relist (kube-rs's Init, InitApply, InitDone) leaves the store as it is until
 * the list is complete, then applies it in one synchronous block: a key whose resourceVersion
 * changed is MODIFIED, a new key ADDED, an unchanged key emits nothing, a key the list did not
 * mention is DELETED with `finalStateUnknown`. Nothing observes a half-old, half-new cache, and a
 * relist that fails half-way changes nothing. Only the changed objects are held aside, so an
 * unchanged relist needs no second copy of the cache.
 *
 * User code (the transform in `prepare`, the store's index functions) runs when an object
 * arrives, before anything is stored; a throw is a {@link UserCodeError} naming the key, with the
 * cache unchanged. Applying a completed relist runs no user code.
 */
export class CacheWriter<T extends KubeObject> {
  private seen: Set<string> | undefined;
  /** A relist's new and changed objects, applied when it completes. */
  private staged: IndexedEntry<T>[] | undefined;
  private synced = false;
  private resourceVersion = '';

  constructor(
    private readonly store: IndexedStore<T>,
    private readonly prepare: (object: T) => T,
    private readonly emit: (event: InformerEvent<T>) => void,
    private readonly health: HealthTracker,
    /** Names the informer in errors of its user code. */
    private readonly source: string,
  ) {}

  get isSynced(): boolean {
    return this.synced;
  }

  /**
   * The resourceVersion the store is current to: the last committed list's, then each applied
   * event's and bookmark's. During a relist it stays at the old cache's until the new list is in.
   */
  get lastResourceVersion(): string {
    return this.resourceVersion;
  }

  /** Forgets the cache, as when the informer stops and will start from nothing. */
  reset(): void {
    this.store.clear();
    this.seen = undefined;
    this.staged = undefined;
    this.synced = false;
    this.resourceVersion = '';
  }

  /** Applies one event; throws {@link UserCodeError} (cache unchanged) when user code throws on its object. */
  apply(event: ReflectorEvent<T>): void {
    switch (event.type) {
      case 'list-start':
        // A list that failed half-way left nothing behind to undo: start afresh.
        this.seen = new Set();
        this.staged = this.synced ? [] : undefined;
        return;
      case 'list-item':
        return this.listItem(event.object);
      case 'list-done':
        return this.listDone(event.resourceVersion);
      case 'added':
      case 'modified':
        return this.upsert(this.entry(event.object));
      case 'deleted':
        return this.delete(event.object);
      case 'bookmark':
        this.resourceVersion = event.resourceVersion;
        return;
    }
  }

  private entry(raw: T): IndexedEntry<T> {
    const key = objectKey(raw);
    return this.store.entryFor(key, this.prepared(key, raw));
  }

  /** The object as it is cached: through the transform (and freeze), behind the guard. */
  private prepared(key: string, raw: T): T {
    let object: T;
    try {
      object = this.prepare(raw);
    } catch (cause) {
      throw new UserCodeError('transform', key, cause, { source: this.source });
    }
    if (object === null || typeof object !== 'object') {
      const cause = new TypeError('a transform must return the object to cache');
      throw new UserCodeError('transform', key, cause, { source: this.source });
    }
    return object;
  }

  private listItem(raw: T): void {
    const key = objectKey(raw);
    const previous = this.store.get(key);
    // Unchanged since the cache took it: nothing to build, nothing to say.
    if (previous && previous.metadata?.resourceVersion === raw.metadata?.resourceVersion) {
      this.seen?.add(key);
      return;
    }
    const entry = this.entry(raw);
    this.seen?.add(key);
    if (this.staged) this.staged.push(entry);
    else this.applyListed(entry);
  }

  private applyListed(entry: IndexedEntry<T>): void {
    let previous = this.store.get(entry.key);
    const { object } = entry;
    if (
      previous &&
      previous.metadata?.uid &&
      object.metadata?.uid &&
      previous.metadata.uid !== object.metadata.uid
    ) {
      // Deleted and re-created while we were not watching: two objects, not one that changed.
      this.store.remove(entry.key);
      this.emit({ type: 'DELETED', object: previous, finalStateUnknown: true });
      previous = undefined;
    }
    this.store.commit(entry);
    this.emit(
      previous ? { type: 'MODIFIED', object, previous } : { type: 'ADDED', object, initial: !this.synced },
    );
  }

  private listDone(resourceVersion: string): void {
    const seen = this.seen;
    const staged = this.staged;
    this.seen = undefined;
    this.staged = undefined;
    this.resourceVersion = resourceVersion;
    if (staged) for (const entry of staged) this.applyListed(entry);
    if (seen && seen.size < this.store.size) {
      for (const key of this.store.keys()) {
        if (seen.has(key)) continue;
        const object = this.store.remove(key)!;
        this.emit({ type: 'DELETED', object, finalStateUnknown: true });
      }
    }
    if (!this.synced) {
      this.synced = true;
      this.health.update({ synced: true });
      this.emit({ type: 'SYNCED', size: this.store.size, resourceVersion });
    } else {
      this.health.update({});
    }
  }

  private upsert(entry: IndexedEntry<T>): void {
    const previous = this.store.commit(entry);
    const { object } = entry;
    this.resourceVersion = object.metadata?.resourceVersion ?? this.resourceVersion;
    this.emit(previous ? { type: 'MODIFIED', object, previous } : { type: 'ADDED', object, initial: false });
  }

  private delete(raw: T): void {
    const key = objectKey(raw);
    this.resourceVersion = raw.metadata?.resourceVersion ?? this.resourceVersion;
    // A delete for an object the cache never held (it left the selector earlier) says nothing new.
    if (!this.store.has(key)) return;
    // The final state goes through the transform like every other object subscribers see.
    const object = this.prepared(key, raw);
    this.store.remove(key);
    this.emit({ type: 'DELETED', object, finalStateUnknown: false });
  }
}
