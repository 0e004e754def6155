/** One priority's keys, oldest first; `live` counts those not superseded by a raise. */
interface Bucket {
  readonly priority: number;
  items: Entry[];
  head: number;
  live: number;
}

interface Entry {
  readonly key: string;
  readonly bucket: Bucket;
}

/** Below this many taken slots a bucket's array is never compacted. */
const COMPACT_MIN = 1024;

/**
 * Keys waiting in order: highest priority first, first in first out among equal priorities,
 * each key at most once. One FIFO per distinct priority, so with one priority (the common
 * case) `push` and `shift` are O(1) amortized; a new priority costs O(p) for p distinct
 * priorities waiting. Raising a key leaves its old slot behind as a tombstone, skipped and
 * dropped by `shift`.
 *
 * @example
 * ```ts
 * const fifo = new PriorityFifo();
 * fifo.push('a', -100);
 * fifo.push('b', 0);
 * fifo.push('c', 0);
 * fifo.push('a', 10); // raised: now first
 * [fifo.shift(), fifo.shift(), fifo.shift()]; // ['a', 'b', 'c']
 * ```
 */
export class PriorityFifo {
  /** Buckets with live keys, by ascending priority: the highest is last. */
  private readonly buckets: Bucket[] = [];
  private readonly byPriority = new Map<number, Bucket>();
  private readonly entries = new Map<string, Entry>();

  /** How many keys are waiting. */
  get size(): number {
    return this.entries.size;
  }

  /** Whether `key` is waiting. */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** The priority `key` waits with, `undefined` if it is not waiting. */
  priority(key: string): number | undefined {
    return this.entries.get(key)?.bucket.priority;
  }

  /**
   * Queues `key` with `priority`. A key already waiting with a lower priority moves to the
   * back of `priority`'s keys; with an equal or higher one it stays where it is.
   * Returns whether `key` was not waiting before.
   */
  push(key: string, priority: number): boolean {
    const current = this.entries.get(key);
    if (current !== undefined) {
      if (priority <= current.bucket.priority) return false;
      this.release(current.bucket);
    }
    const bucket = this.byPriority.get(priority) ?? this.open(priority);
    const entry: Entry = { key, bucket };
    bucket.items.push(entry);
    bucket.live++;
    this.entries.set(key, entry);
    return current === undefined;
  }

  /** Takes the first key of the highest priority; `undefined` if none is waiting. */
  shift(): string | undefined {
    const bucket = this.buckets[this.buckets.length - 1];
    if (bucket === undefined) return undefined;
    // A bucket with a live key has one ahead of its head: the loop ends on it.
    for (;;) {
      const entry = bucket.items[bucket.head++]!;
      if (this.entries.get(entry.key) !== entry) continue; // raised away: a tombstone
      this.entries.delete(entry.key);
      this.release(bucket);
      if (bucket.live > 0 && bucket.head >= COMPACT_MIN && bucket.head * 2 >= bucket.items.length) {
        bucket.items = bucket.items.slice(bucket.head);
        bucket.head = 0;
      }
      return entry.key;
    }
  }

  /** The waiting keys, in no particular order. */
  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  /** Drops every waiting key. */
  clear(): void {
    this.buckets.length = 0;
    this.byPriority.clear();
    this.entries.clear();
  }

  private open(priority: number): Bucket {
    const bucket: Bucket = { priority, items: [], head: 0, live: 0 };
    this.buckets.splice(this.indexAbove(priority), 0, bucket);
    this.byPriority.set(priority, bucket);
    return bucket;
  }

  /** One live key fewer in `bucket`; an empty bucket goes, with its tombstones. */
  private release(bucket: Bucket): void {
    if (--bucket.live > 0) return;
    this.byPriority.delete(bucket.priority);
    this.buckets.splice(this.indexAbove(bucket.priority) - 1, 1);
  }

  /** The index of the first bucket with a priority above `priority`. */
  private indexAbove(priority: number): number {
    let low = 0;
    let high = this.buckets.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.buckets[mid]!.priority <= priority) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
