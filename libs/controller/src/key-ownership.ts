import type { Observable } from 'rxjs';

/**
 * Which keys this process may reconcile right now: a predicate, or `undefined` when it may
 * reconcile none (not the leader, not an active shard member).
 *
 * @example
 * ```ts
 * const everything: KeyFilter = () => true;
 * ```
 */
export type KeyFilter = (key: string) => boolean;

/**
 * A source of {@link KeyFilter}s that a controller obeys: it reconciles a key only while the
 * latest filter accepts it, aborts in-flight reconciles of keys it stops accepting, and
 * re-queues every cached key the filter accepts when it changes. {@link LeaderElector} and
 * {@link ShardMembership} implement it. `start` and `stop` are called by the controller:
 * `stop` only after the controller's work has ended, so a release is safe. `ownership$` errors
 * only for what retrying cannot fix; the controller then fails with that error (source
 * `ownership`). A filter that throws counts as "not this key" (logged).
 *
 * @example
 * ```ts
 * const always: KeyOwnership = { ownership$: of(() => true), start() {}, async stop() {} };
 * controller({ name: 'website', for: websites, reconcile, ownership: always });
 * ```
 */
export interface KeyOwnership {
  /** Replays the current filter; emits on each change; `undefined` means no key; errors when the ownership gave up. */
  readonly ownership$: Observable<KeyFilter | undefined>;
  start(): void;
  stop(): Promise<void>;
}
