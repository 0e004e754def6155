/**
 * How long to wait between failed attempts: exponential with jitter, as client-go's reflector
 * and kube-rs's watcher back off.
 *
 * @example
 * ```ts
 * createInformerFactory({ kubeConfig: kc, backoff: { initialMs: 1_000, maxMs: 60_000 } });
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
  /** After this long without a failure, the next failure starts again at `initialMs` (default 2 min). */
  resetAfterMs?: number;
}

/**
 * The backoff state of one informer. `next()` is called on each failure and returns the delay;
 * a failure that comes `resetAfterMs` after the previous one starts the sequence again.
 *
 * @example
 * ```ts
 * const backoff = new Backoff({}, () => Date.now(), Math.random);
 * const delay = backoff.next(err.retryAfterMs); // 800..1600 ms the first time
 * ```
 */
export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly resetAfterMs: number;
  private failures = 0;
  private lastFailureAt = Number.NEGATIVE_INFINITY;

  constructor(
    options: BackoffOptions,
    private readonly now: () => number,
    private readonly random: () => number,
  ) {
    this.initialMs = options.initialMs ?? 800;
    this.maxMs = options.maxMs ?? 30_000;
    this.factor = options.factor ?? 2;
    this.jitter = options.jitter ?? 1;
    this.resetAfterMs = options.resetAfterMs ?? 120_000;
    if (
      !(this.initialMs > 0) ||
      !(this.maxMs >= this.initialMs) ||
      !(this.factor >= 1) ||
      !(this.jitter >= 0)
    ) {
      throw new RangeError('backoff: need 0 < initialMs <= maxMs, factor >= 1 and jitter >= 0');
    }
  }

  /** Consecutive failures counted so far. */
  get attempt(): number {
    return this.failures;
  }

  /** Records a failure and returns how long to wait; never less than `retryAfterMs`. */
  next(retryAfterMs?: number): number {
    const now = this.now();
    if (now - this.lastFailureAt >= this.resetAfterMs) this.failures = 0;
    this.lastFailureAt = now;
    const base = this.initialMs * this.factor ** this.failures;
    this.failures++;
    const delay = Math.min(this.maxMs, base * (1 + this.jitter * this.random()));
    return Math.round(Math.max(delay, retryAfterMs ?? 0));
  }

  /** Forgets past failures: the next delay starts at `initialMs`. */
  reset(): void {
    this.failures = 0;
    this.lastFailureAt = Number.NEGATIVE_INFINITY;
  }
}
