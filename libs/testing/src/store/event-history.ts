import type { StoredVersion } from './stored-version.js';

/** A change to one object, as watchers receive it. */
export interface StoreEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** The new version; for DELETED, the final state at the deletion's resourceVersion. */
  readonly object: StoredVersion;
  /** The version before this change (undefined for ADDED). */
  readonly prev: StoredVersion | undefined;
  /** Serialized watch lines, built once per event and output format. */
  readonly lines: Map<string, string>;
}

/**
 * The bounded event history of one resource (the watch cache window): the newest `capacity`
 * events. `floor` is the oldest resourceVersion a watch or a consistent list can start from;
 * anything older is answered with 410 Expired.
 */
export class EventHistory {
  private events: StoreEvent[] = [];
  private start = 0;

  constructor(
    private readonly capacity: number,
    private floorRv: number,
  ) {}

  get floor(): number {
    return this.floorRv;
  }

  get size(): number {
    return this.events.length - this.start;
  }

  push(event: StoreEvent): void {
    this.events.push(event);
    if (this.events.length - this.start > this.capacity) {
      const dropped = this.events[this.start] as StoreEvent;
      this.events[this.start] = undefined as unknown as StoreEvent;
      this.start++;
      this.floorRv = dropped.object.rv;
      if (this.start > 1024 && this.start * 2 > this.events.length) {
        this.events = this.events.slice(this.start);
        this.start = 0;
      }
    }
  }

  /** Forgets every event: only watches from `rv` on are possible afterwards. */
  reset(rv: number): void {
    this.events = [];
    this.start = 0;
    this.floorRv = rv;
  }

  /** Events newer than `rv`, oldest first (the caller checks `rv >= floor`). */
  since(rv: number): StoreEvent[] {
    let low = this.start;
    let high = this.events.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.events[mid] as StoreEvent).object.rv <= rv) low = mid + 1;
      else high = mid;
    }
    return this.events.slice(low);
  }
}
