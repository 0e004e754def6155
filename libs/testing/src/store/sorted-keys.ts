/**
 * The keys of one resource in etcd order (`namespace/name` byte order), kept sorted lazily:
 * new keys wait in a small pending list and are merged in on the next read, removed keys are
 * dropped then. Reads are O(n) only after writes; inserts are O(1).
 */
export class SortedKeys {
  private sorted: string[] = [];
  private pending: string[] = [];
  private removed = 0;

  constructor(private readonly live: (key: string) => boolean) {}

  add(key: string): void {
    this.pending.push(key);
  }

  /** Records that a key left the map (it is filtered out on the next read). */
  remove(): void {
    this.removed++;
  }

  /** All keys, sorted; the array is valid until the next write. */
  keys(): readonly string[] {
    if (this.pending.length > 0 || this.removed > 0) {
      const fresh = this.pending.sort();
      const merged: string[] = [];
      let i = 0;
      let j = 0;
      const old = this.sorted;
      while (i < old.length || j < fresh.length) {
        const next =
          j >= fresh.length || (i < old.length && (old[i] as string) < (fresh[j] as string))
            ? old[i++]
            : fresh[j++];
        if (next !== undefined && this.live(next) && merged[merged.length - 1] !== next) merged.push(next);
      }
      this.sorted = merged;
      this.pending = [];
      this.removed = 0;
    }
    return this.sorted;
  }

  /** Index of the first key strictly greater than `key` (or ≥ when `inclusive`). */
  static lowerBound(keys: readonly string[], key: string, inclusive: boolean): number {
    let low = 0;
    let high = keys.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const k = keys[mid] as string;
      if (k < key || (!inclusive && k === key)) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
