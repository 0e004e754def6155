import { compareResourceVersions } from './resource-version.js';

/**
 * Items kept sorted by an integer resourceVersion, oldest first (items of one version in the
 * order added), so that everything a processed version reaches is taken from the front in one
 * step, and nothing else is looked at. Insertion and removal are a binary search and a splice.
 *
 * @example
 * ```ts
 * const queue = new VersionQueue<string>((s) => s.split('@')[1]!);
 * queue.add('a@12');
 * queue.add('b@9');
 * queue.takeUpTo('10'); // ['b@9']
 * ```
 */
export class VersionQueue<T> {
  private items: T[] = [];

  constructor(private readonly versionOf: (item: T) => string) {}

  get size(): number {
    return this.items.length;
  }

  add(item: T): void {
    this.items.splice(this.bound(this.versionOf(item), true), 0, item);
  }

  /** Takes an item out; false when it was not queued. */
  remove(item: T): boolean {
    const version = this.versionOf(item);
    for (let i = this.bound(version, false); i < this.items.length; i++) {
      const candidate = this.items[i]!;
      if (candidate === item) {
        this.items.splice(i, 1);
        return true;
      }
      if (this.versionOf(candidate) !== version) break;
    }
    return false;
  }

  /** Takes out every item whose version is at most `resourceVersion`, oldest first. */
  takeUpTo(resourceVersion: string): T[] {
    if (this.items.length === 0) return [];
    return this.items.splice(0, this.bound(resourceVersion, true));
  }

  /** Takes out every item. */
  clear(): T[] {
    const all = this.items;
    this.items = [];
    return all;
  }

  /** The index of the first item newer than (`after`) or at least as new as `version`. */
  private bound(version: string, after: boolean): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const order = compareResourceVersions(this.versionOf(this.items[mid]!), version);
      if (order < 0 || (after && order === 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
