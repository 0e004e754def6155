import type { InformerEvent } from './events.js';
import type { HealthTracker } from './health-tracker.js';
import type { IndexedStore } from './indexed-store.js';
import type { ReflectorEvent } from './reflector-events.js';
import { objectKey, type KubeObject } from './resources/kube-object.js';

/**
 * Applies a reflector's events to the store and says what changed, as informer events.
 *
 * A list (the first one or a relist) is applied incrementally and diffed as it arrives: a new
 * key is ADDED, a key whose resourceVersion changed is MODIFIED, an unchanged key emits nothing,
 * and at the end every key the list did not mention is DELETED with `finalStateUnknown`. Memory
 * stays at one copy of the cache, with no second map built during a relist.
 */
export class CacheWriter<T extends KubeObject> {
  private seen: Set<string> | undefined;
  private synced = false;
  private resourceVersion = '';

  constructor(
    private readonly store: IndexedStore<T>,
    private readonly prepare: (object: T) => T,
    private readonly emit: (event: InformerEvent<T>) => void,
    private readonly health: HealthTracker,
  ) {}

  get isSynced(): boolean {
    return this.synced;
  }

  get lastResourceVersion(): string {
    return this.resourceVersion;
  }

  /** Forgets the cache, as when the informer stops and will start from nothing. */
  reset(): void {
    this.store.clear();
    this.seen = undefined;
    this.synced = false;
    this.resourceVersion = '';
  }

  apply(event: ReflectorEvent<T>): void {
    switch (event.type) {
      case 'list-start':
        this.seen = new Set();
        return;
      case 'list-item':
        return this.listItem(this.prepare(event.object));
      case 'list-done':
        return this.listDone(event.resourceVersion);
      case 'added':
      case 'modified':
        return this.upsert(this.prepare(event.object));
      case 'deleted':
        return this.delete(this.prepare(event.object));
    }
  }

  private listItem(object: T): void {
    const key = objectKey(object);
    this.seen?.add(key);
    let previous = this.store.get(key);
    if (previous && previous.metadata?.resourceVersion === object.metadata?.resourceVersion) return;
    if (
      previous &&
      previous.metadata?.uid &&
      object.metadata?.uid &&
      previous.metadata.uid !== object.metadata.uid
    ) {
      // Deleted and re-created while we were not watching: two objects, not one that changed.
      this.emit({ type: 'DELETED', object: previous, finalStateUnknown: true });
      previous = undefined;
    }
    this.store.upsert(key, object);
    this.emit(
      previous ? { type: 'MODIFIED', object, previous } : { type: 'ADDED', object, initial: !this.synced },
    );
  }

  private listDone(resourceVersion: string): void {
    const seen = this.seen;
    this.seen = undefined;
    this.resourceVersion = resourceVersion;
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

  private upsert(object: T): void {
    const key = objectKey(object);
    const previous = this.store.upsert(key, object);
    this.resourceVersion = object.metadata?.resourceVersion ?? this.resourceVersion;
    this.emit(previous ? { type: 'MODIFIED', object, previous } : { type: 'ADDED', object, initial: false });
  }

  private delete(object: T): void {
    const key = objectKey(object);
    this.resourceVersion = object.metadata?.resourceVersion ?? this.resourceVersion;
    // A delete for an object the cache never held (it left the selector earlier) says nothing new.
    if (this.store.remove(key) === undefined) return;
    this.emit({ type: 'DELETED', object, finalStateUnknown: false });
  }
}
