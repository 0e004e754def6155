/**
 * How long to wait between failed attempts: exponential with jitter, as client-go's reflector
 * and kube-rs's watcher back off.
 *
 * @example
 * ```ts
 * createInformerFactory({ kubeConfig: kc, reflector: { backoff: { initialMs: 1_000, maxMs: 60_000 } } });
 * ```
 */
export interface BackoffOptions {
  /** The first delay before jitter (default 800 ms). */
  initialMs?: number;
  /** The largest delay (default 30 s). */
  maxMs?: number;
  /** Growth per failure (default 2). */
  factor?: number;
  /** Each delay is multiplied by `1 + jitter × random()` before the cap (default 1). */
  jitter?: number;
  /**
   * After this long without a failure, the next failure starts again at `initialMs` (default
   * 2 min). An informer also starts again as soon as its watch delivers an event or a bookmark.
   */
  resetAfterMs?: number;
}

/**
 * The backoff state of one informer. `next()` is called on each failure and returns the delay;
 * a failure that comes `resetAfterMs` after the previous one starts the sequence again.
 *
 * @example
 * ```ts
 * const backoff = new Backoff({}, () => Date.now(), Math.random);
 * const delay = backoff.next(err instanceof ServerBusyError ? err.retryAfterMs : undefined); // 800..1600 ms the first time
 * ```
 */
export class Backoff {
  private readonly options: BackoffOptions;
  private failures = 0;
  private lastFailureAt = Number.NEGATIVE_INFINITY;

  constructor(
    options: BackoffOptions,
    private readonly now: () => number,
    private readonly random: () => number,
  ) {
    this.options = validBackoff(options);
  }

  /** Consecutive failures counted so far. */
  get attempt(): number {
    return this.failures;
  }

  /** Records a failure and returns how long to wait; never less than `retryAfterMs`. */
  next(retryAfterMs?: number): number {
    const now = this.now();
    if (now - this.lastFailureAt >= (this.options.resetAfterMs ?? 120_000)) this.failures = 0;
    this.lastFailureAt = now;
    return backoffDelay(this.options, this.failures++, this.random, retryAfterMs);
  }

  /** Forgets past failures: the next delay starts at `initialMs`. */
  reset(): void {
    this.failures = 0;
    this.lastFailureAt = Number.NEGATIVE_INFINITY;
  }
}

/**
 * Checks backoff options, throwing a {@link RangeError} that says what is wrong.
 *
 * @example
 * ```ts
 * validBackoff({ initialMs: 500, maxMs: 10_000 });
 * ```
 */
export function validBackoff(options: BackoffOptions): BackoffOptions {
  const { initialMs = 800, maxMs = 30_000, factor = 2, jitter = 1 } = options;
  if (!(initialMs > 0) || !(maxMs >= initialMs) || !(factor >= 1) || !(jitter >= 0)) {
    throw new RangeError('backoff: need 0 < initialMs <= maxMs, factor >= 1 and jitter >= 0');
  }
  return options;
}

/**
 * The delay before retry number `attempt` (0 for the first): `initialMs × factor^attempt`,
 * times `1 + jitter × random()`, capped at `maxMs`, and never less than `retryAfterMs`.
 *
 * @example
 * ```ts
 * backoffDelay({}, 0, () => 0.5); // 1200
 * ```
 */
export function backoffDelay(
  options: BackoffOptions,
  attempt: number,
  random: () => number,
  retryAfterMs?: number,
): number {
  const { initialMs = 800, maxMs = 30_000, factor = 2, jitter = 1 } = options;
  const delay = Math.min(maxMs, initialMs * factor ** attempt * (1 + jitter * random()));
  return Math.round(Math.max(delay, retryAfterMs ?? 0));
}
