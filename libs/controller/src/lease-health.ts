import { ForbiddenError, InvalidRequestError } from '@rxinformer/core';

/**
 * What a lease protocol ({@link LeaderElector}, {@link ShardMembership}) is doing now:
 * - `idle`: not started.
 * - `running`: started, and its last round of Lease requests succeeded (or none has ended yet).
 * - `retrying`: its last round failed with an error a retry can fix (a network error, a timeout,
 *   a 5xx or 429, a 401); it tries again after a retry period. Losing a write race (409) is no
 *   failure.
 * - `failed`: a Lease request was refused for good (403 Forbidden by RBAC or an admission
 *   policy, 400/422 an invalid Lease): it gave up, holds no lease and owns no key (see `lastError`).
 * - `stopped`: `stop()` was called.
 *
 * @example
 * ```ts
 * elector.health$.pipe(filter((h) => h.phase === 'failed')).subscribe((h) => console.error(h.lastError));
 * ```
 */
export type LeasePhase = 'idle' | 'running' | 'retrying' | 'failed' | 'stopped';

/**
 * A snapshot of a lease protocol's health, as its `health$` emits it after each change.
 *
 * @example
 * ```ts
 * elector.health$.subscribe((h) => console.log(h.phase, h.failures, h.lastError?.message));
 * ```
 */
export interface LeaseHealth {
  readonly phase: LeasePhase;
  /** The most recent failed Lease request (a typed error of `@rxinformer/core`); it stays after recovery. */
  readonly lastError: Error | undefined;
  /** Consecutive failed rounds; 0 after a success. */
  readonly failures: number;
  /** Scheduler time (ms) of the last successful round. */
  readonly lastSuccessAt: number | undefined;
}

/** What happened to a lease protocol; {@link nextLeaseHealth} folds these into its health. */
export type LeaseHealthEvent =
  | { readonly type: 'started' }
  | { readonly type: 'succeeded'; readonly at: number }
  | { readonly type: 'failed'; readonly error: unknown }
  | { readonly type: 'stopped'; readonly error?: unknown };

export const idleLeaseHealth: LeaseHealth = Object.freeze({
  phase: 'idle',
  lastError: undefined,
  failures: 0,
  lastSuccessAt: undefined,
});

/**
 * Whether a failed Lease request is one no retry fixes. 401 is not among them: credentials are
 * applied afresh to every request (exec plugins, rotated tokens), and the renew deadline already
 * stops a leader that cannot renew.
 */
export function isFatalLeaseError(error: unknown): boolean {
  return error instanceof ForbiddenError || error instanceof InvalidRequestError;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** The one transition function of a lease protocol's health; `failed` is final until a restart. */
export function nextLeaseHealth(health: LeaseHealth, event: LeaseHealthEvent): LeaseHealth {
  switch (event.type) {
    case 'started':
      return { ...health, phase: 'running', failures: 0 };
    case 'succeeded':
      if (health.phase === 'failed') return health;
      return { ...health, phase: 'running', failures: 0, lastSuccessAt: event.at };
    case 'failed':
      if (health.phase === 'failed') return health;
      return {
        ...health,
        phase: isFatalLeaseError(event.error) ? 'failed' : 'retrying',
        lastError: asError(event.error),
        failures: health.failures + 1,
      };
    case 'stopped':
      // A failure stays visible after stop(): it says why this replica stopped working.
      return {
        ...health,
        phase: health.phase === 'failed' ? 'failed' : 'stopped',
        lastError: event.error === undefined ? health.lastError : asError(event.error),
      };
  }
}
