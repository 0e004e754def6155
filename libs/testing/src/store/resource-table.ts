import type { FieldExtractor } from '../selectors/field-selector.js';
import { EventHistory, type StoreEvent } from './event-history.js';
import { SortedKeys } from './sorted-keys.js';
import type { StoredVersion } from './stored-version.js';

/** What identifies a table: one resource (group + plural), whatever version it is served at. */
export interface TableIdentity {
  readonly group: string;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

/** A page of a snapshot list. */
export interface SnapshotPage {
  readonly items: StoredVersion[];
  /** The key of the last item, set when more items may follow. */
  readonly continueAfter: string | undefined;
  /** Visible items after this page (set only when the list had no predicate). */
  readonly remaining: number | undefined;
}

/** What to read from a snapshot. */
export interface SnapshotQuery {
  readonly rv: number;
  readonly namespace?: string | undefined;
  /** Start after this key (exclusive), from a continue token. */
  readonly after?: string | undefined;
  readonly limit?: number | undefined;
  readonly predicate?: ((version: StoredVersion) => boolean) | undefined;
}

/**
 * The objects of one resource, multi-versioned: each key holds its versions in resourceVersion
 * order, trimmed to what the history window can still be asked for, so a list at any RV within
 * the window (a continue token's snapshot) is consistent.
 */
export class ResourceTable {
  readonly chains = new Map<string, StoredVersion[]>();
  readonly keys = new SortedKeys((key) => this.chains.has(key));
  readonly history: EventHistory;
  readonly listeners = new Set<(event: StoreEvent) => void>();
  /** Called when the resource stops being served (its CRD was deleted). */
  readonly retireListeners = new Set<() => void>();
  private tombstones: StoredVersion[] = [];
  private tombstoneHead = 0;
  private lastCreateRv = 0;
  private liveTombstones = 0;

  constructor(
    readonly identity: TableIdentity,
    readonly fields: FieldExtractor,
    historySize: number,
    floorRv: number,
  ) {
    this.history = new EventHistory(historySize, floorRv);
  }

  /** The newest non-deleted version of a key. */
  current(key: string): StoredVersion | undefined {
    const chain = this.chains.get(key);
    const last = chain?.[chain.length - 1];
    return last === undefined || last.deleted ? undefined : last;
  }

  /** The version of a key visible at `rv`. */
  at(key: string, rv: number): StoredVersion | undefined {
    const chain = this.chains.get(key);
    if (chain === undefined) return undefined;
    for (let i = chain.length - 1; i >= 0; i--) {
      const version = chain[i] as StoredVersion;
      if (version.rv <= rv) return version.deleted ? undefined : version;
    }
    return undefined;
  }

  /** Records a change: appends the version, keeps the history and notifies listeners. */
  commit(event: StoreEvent): void {
    const version = event.object;
    let chain = this.chains.get(version.key);
    if (chain === undefined) {
      chain = [];
      this.chains.set(version.key, chain);
      this.keys.add(version.key);
    }
    const wasTombstone = chain[chain.length - 1]?.deleted === true;
    if (event.type === 'ADDED') {
      this.lastCreateRv = version.rv;
      if (wasTombstone) this.liveTombstones--;
    }
    if (event.type === 'DELETED') {
      this.liveTombstones++;
      this.tombstones.push(version);
    }
    chain.push(version);
    this.trim(chain);
    this.history.push(event);
    this.purgeTombstones();
    for (const listener of this.listeners) listener(event);
  }

  /** Drops every version the history window can no longer be asked for. */
  private trim(chain: StoredVersion[]): void {
    const floor = this.history.floor;
    let drop = 0;
    while (drop + 1 < chain.length && (chain[drop + 1] as StoredVersion).rv <= floor) drop++;
    if (drop > 0) chain.splice(0, drop);
  }

  private purgeTombstones(): void {
    const floor = this.history.floor;
    while (this.tombstoneHead < this.tombstones.length) {
      const tombstone = this.tombstones[this.tombstoneHead] as StoredVersion;
      if (tombstone.rv > floor) break;
      this.tombstoneHead++;
      const chain = this.chains.get(tombstone.key);
      if (chain !== undefined && chain[chain.length - 1] === tombstone) {
        this.chains.delete(tombstone.key);
        this.keys.remove();
        this.liveTombstones--;
      } else if (chain !== undefined) {
        this.trim(chain);
      }
    }
    if (this.tombstoneHead > 1024 && this.tombstoneHead * 2 > this.tombstones.length) {
      this.tombstones = this.tombstones.slice(this.tombstoneHead);
      this.tombstoneHead = 0;
    }
  }

  /** Tells everyone holding on to this table that it is no longer served. */
  retire(): void {
    for (const listener of [...this.retireListeners]) listener();
    this.retireListeners.clear();
    this.listeners.clear();
  }

  /** Forgets the event history (compaction, restart): only `rv` and later can be asked for. */
  compact(rv: number): void {
    this.history.reset(rv);
    this.purgeTombstones();
    for (const chain of this.chains.values()) this.trim(chain);
  }

  /** Number of objects that exist now. */
  get size(): number {
    return this.chains.size - this.liveTombstones;
  }

  /** Reads one page of the state at `query.rv`, in key order. */
  snapshot(query: SnapshotQuery): SnapshotPage {
    const keys = this.keys.keys();
    const prefix = query.namespace ? `${query.namespace}/` : undefined;
    const end = prefix === undefined ? keys.length : SortedKeys.lowerBound(keys, `${query.namespace}0`, true);
    let index =
      query.after !== undefined
        ? SortedKeys.lowerBound(keys, query.after, false)
        : prefix === undefined
          ? 0
          : SortedKeys.lowerBound(keys, prefix, true);
    if (prefix !== undefined && index < end && !(keys[index] as string).startsWith(prefix)) {
      index = SortedKeys.lowerBound(keys, prefix, true);
    }
    const limit = query.limit !== undefined && query.limit > 0 ? query.limit : Infinity;
    const items: StoredVersion[] = [];
    const { rv, predicate } = query;
    for (; index < end && items.length < limit; index++) {
      const version = this.at(keys[index] as string, rv);
      if (version !== undefined && (predicate === undefined || predicate(version))) items.push(version);
    }
    if (index >= end || items.length === 0) return { items, continueAfter: undefined, remaining: undefined };
    // More keys follow: the real server hands out a continue token whenever its range has more.
    let remaining = 0;
    let more = false;
    if (predicate === undefined && this.liveTombstones === 0 && this.lastCreateRv <= rv) {
      remaining = end - index;
      more = remaining > 0;
    } else {
      for (let i = index; i < end; i++) {
        if (this.at(keys[i] as string, rv) !== undefined) {
          more = true;
          if (predicate !== undefined) break;
          remaining++;
        }
      }
    }
    if (!more) return { items, continueAfter: undefined, remaining: undefined };
    return {
      items,
      continueAfter: items[items.length - 1]?.key,
      remaining: predicate === undefined ? remaining : undefined,
    };
  }
}
