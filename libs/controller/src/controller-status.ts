import type { UserCodeError } from '@rxinformer/core';

/**
 * What a {@link Controller} is doing now:
 * - `idle`: not started.
 * - `waiting-for-sync`: started; some informer has not synced yet, so no reconcile runs.
 * - `standby`: synced, but the ownership grants no key (not the leader, not an active shard member).
 * - `active`: workers run.
 * - `failed`: an informer or the ownership failed fatally; workers stopped, ownership released (see `failure`).
 * - `stopped`: `stop()` completed, or an informer completed (its factory was shut down) and the
 *   controller stopped as `stop()` without drain does.
 *
 * @example
 * ```ts
 * c.status$.pipe(filter((s) => s.phase === 'failed')).subscribe((s) => console.error(s.failure?.error));
 * ```
 */
export type ControllerPhase = 'idle' | 'waiting-for-sync' | 'standby' | 'active' | 'failed' | 'stopped';

/**
 * What made a controller fail: the fatal error of one of its informers (401, 403, a 404 for a
 * resource the server does not serve, an invalid selector) or of its ownership (a 403 on the
 * Lease), and which one it was.
 *
 * @example
 * ```ts
 * const f = c.status.failure;
 * if (f?.source === 'owns') console.error(`owns[${f.index}] (${f.resource}) failed:`, f.error.message);
 * ```
 */
export interface ControllerFailure {
  /** The `for` informer, an `owns` or `watches` informer, or the `ownership`. */
  readonly source: 'for' | 'owns' | 'watches' | 'ownership';
  /** The position in `owns` or `watches`; `undefined` for `for` and `ownership`. */
  readonly index: number | undefined;
  /** The failed informer's resource as kubectl spells it (`deployments.apps`); `undefined` for `ownership`. */
  readonly resource: string | undefined;
  /** The typed error, such as a `ForbiddenError` or `ResourceNotFoundError` of `@rxinformer/core`. */
  readonly error: Error;
}

/**
 * A snapshot of a controller's state, as `status$` emits it after each change. Counters count
 * since the controller was created.
 *
 * @example
 * ```ts
 * c.status$.subscribe((s) => console.log(s.phase, s.reconcileErrors, s.lastError?.message));
 * ```
 */
export interface ControllerStatus {
  readonly phase: ControllerPhase;
  /** Why the controller failed; set in phase `failed` only. */
  readonly failure: ControllerFailure | undefined;
  /**
   * The latest failure of user code that did not stop the controller: a mapper that threw or
   * returned something other than an array of keys (site `mapper`), a reconcile that threw,
   * rejected or timed out (site `reconcile`). It stays after recovery so it can be shown.
   */
  readonly lastError: UserCodeError | undefined;
  /** Mapper calls that threw or returned garbage. */
  readonly mapperErrors: number;
  /** Reconciles started since the controller was created, whatever their outcome. */
  readonly reconciles: number;
  /** Reconcile attempts that threw, rejected or timed out (not those aborted because superseded or stopping). */
  readonly reconcileErrors: number;
  /** Of `reconcileErrors`, those that did not settle within `reconcileTimeoutMs`. */
  readonly reconcileTimeouts: number;
  /** Timed-out reconciles that have not settled yet: each still blocks its key, none holds a worker. */
  readonly overdueReconciles: number;
}

export const idleControllerStatus: ControllerStatus = Object.freeze({
  phase: 'idle',
  failure: undefined,
  lastError: undefined,
  mapperErrors: 0,
  reconciles: 0,
  reconcileErrors: 0,
  reconcileTimeouts: 0,
  overdueReconciles: 0,
});
