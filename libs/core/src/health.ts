/**
 * What an informer is doing now:
 * - `idle`: nobody subscribed; no connection is open.
 * - `listing`: the first LIST (or streaming WatchList) is under way.
 * - `watching`: the cache is synced and a WATCH is streaming changes.
 * - `backoff`: waiting before the next attempt after a transient error.
 * - `relisting`: a LIST after a 410 Gone (or a server restart) to rebuild the cache.
 * - `failed`: a fatal error ended the stream (see `lastError`).
 *
 * @example
 * ```ts
 * pods.health$.pipe(filter((h) => h.phase === 'backoff')).subscribe((h) => alert(h.lastError));
 * ```
 */
export type InformerPhase = 'idle' | 'listing' | 'watching' | 'backoff' | 'relisting' | 'failed';

/**
 * A snapshot of an informer's state, as `health$` emits it after each change of phase and at
 * most once a second while events flow.
 *
 * @example
 * ```ts
 * pods.health$.subscribe((h) => console.log(h.phase, h.resourceVersion, h.relists));
 * ```
 */
export interface InformerHealth {
  readonly phase: InformerPhase;
  /** Whether the cache has completed its first sync since the informer started. */
  readonly synced: boolean;
  /** The last resourceVersion seen in a list, event or bookmark. */
  readonly resourceVersion: string | undefined;
  /** Epoch milliseconds of the last ADDED/MODIFIED/DELETED from the server. */
  readonly lastEventAt: number | undefined;
  /** Epoch milliseconds of the last BOOKMARK. */
  readonly lastBookmarkAt: number | undefined;
  /** Number of objects in the cache. */
  readonly size: number;
  /** LISTs made after the first one (410 Gone, server restarts). */
  readonly relists: number;
  /** WATCH connections opened after the first one (drops, timeouts, errors). */
  readonly restarts: number;
  /** Consecutive failed attempts; 0 while healthy. */
  readonly attempt: number;
  /** The most recent error, transient or fatal; it stays after recovery so it can be shown. */
  readonly lastError: Error | undefined;
  /** Why the last relist or restart happened, such as `'410 Expired'` or `'watch closed'`. */
  readonly lastReason: string | undefined;
  /** Epoch milliseconds of the next attempt while in `backoff`. */
  readonly retryAt: number | undefined;
  /**
   * How `waitFor` compares resourceVersions. `'integer'` (the default, and what Kubernetes
   * 1.35+ guarantees): every resourceVersion seen so far is a canonical decimal integer, so a
   * wait resolves once the informer has processed the written version or any later one.
   * `'opaque'`: the server sent one that is not (an older or non-etcd server), so a wait
   * resolves only when the cached object carries exactly the written version, or, for a
   * deletion, when the object is gone; a write overtaken by a later change before the informer
   * saw it (as across a relist) then waits until its timeout. Detected from each list's
   * resourceVersion and from every version a pending wait compares; back to `'integer'` when
   * the informer starts again.
   */
  readonly resourceVersionOrder: 'integer' | 'opaque';
}

/**
 * The health of an informer that has not started (or has stopped): phase `idle`, nothing
 * counted. What `health` reads before the first subscription; handy as a UI's initial state.
 *
 * @example
 * ```ts
 * const view = new BehaviorSubject<InformerHealth>(idleHealth);
 * ```
 */
export const idleHealth: InformerHealth = Object.freeze({
  phase: 'idle',
  synced: false,
  resourceVersion: undefined,
  lastEventAt: undefined,
  lastBookmarkAt: undefined,
  size: 0,
  relists: 0,
  restarts: 0,
  attempt: 0,
  lastError: undefined,
  lastReason: undefined,
  retryAt: undefined,
  resourceVersionOrder: 'integer',
});
