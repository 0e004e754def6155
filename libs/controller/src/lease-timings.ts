import type { SchedulerLike } from 'rxjs';

/**
 * The timings of a lease-based protocol, as client-go's `LeaderElectionConfig` names them.
 * Holders renew every `retryPeriodMs`; a holder that has not renewed for `renewDeadlineMs`
 * stops working; others consider the lease free `leaseDurationMs` after they last saw it change.
 * Requires `leaseDurationMs > renewDeadlineMs + retryPeriodMs` (margin for in-flight work).
 *
 * @example
 * ```ts
 * const fast: LeaseTimings = { leaseDurationMs: 2_000, renewDeadlineMs: 1_500, retryPeriodMs: 300 };
 * ```
 */
export interface LeaseTimings {
  /** Default 15 s. */
  leaseDurationMs?: number;
  /** Default 10 s. */
  renewDeadlineMs?: number;
  /** Default 2 s. */
  retryPeriodMs?: number;
}

export function resolveTimings(timings: LeaseTimings): Required<LeaseTimings> {
  const resolved = {
    leaseDurationMs: timings.leaseDurationMs ?? 15_000,
    renewDeadlineMs: timings.renewDeadlineMs ?? 10_000,
    retryPeriodMs: timings.retryPeriodMs ?? 2_000,
  };
  if (!(resolved.retryPeriodMs > 0 && resolved.renewDeadlineMs > resolved.retryPeriodMs)) {
    throw new RangeError('lease timings: renewDeadlineMs must exceed retryPeriodMs > 0');
  }
  if (!(resolved.leaseDurationMs > resolved.renewDeadlineMs + resolved.retryPeriodMs)) {
    throw new RangeError('lease timings: leaseDurationMs must exceed renewDeadlineMs + retryPeriodMs');
  }
  return resolved;
}

/** Resolves after `ms` on `scheduler`, or at once when `signal` aborts. */
export function sleep(scheduler: SchedulerLike, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = () => {
      timer.unsubscribe();
      resolve();
    };
    const timer = scheduler.schedule(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Tracks when each lease was last seen to change, by this process's clock (client-go's observedTime). */
export class LeaseObserver {
  private readonly seen = new Map<string, { record: string; at: number }>();

  /** Records `spec` of lease `name` as seen at `now`; returns when it last changed. */
  observe(name: string, spec: unknown, now: number): number {
    const record = JSON.stringify(spec ?? {});
    const previous = this.seen.get(name);
    if (previous && previous.record === record) return previous.at;
    this.seen.set(name, { record, at: now });
    return now;
  }

  /** Forgets leases not in `names`. */
  retain(names: ReadonlySet<string>): void {
    for (const name of this.seen.keys()) if (!names.has(name)) this.seen.delete(name);
  }
}
