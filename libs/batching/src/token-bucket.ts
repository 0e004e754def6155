/**
 * A token bucket, kept as the generic cell rate algorithm: instead of a token count refilled
 * over time, the theoretical time the bucket is full again (`fullAt`). Exact in virtual time,
 * with one number of state.
 */
export class TokenBucket {
  private readonly interval: number;
  private readonly tolerance: number;
  /** When the bucket holds `burst` tokens again; in the past when it is full. */
  fullAt = -Infinity;

  constructor(ratePerSecond: number, burst: number) {
    this.interval = 1000 / ratePerSecond;
    this.tolerance = (burst - 1) * this.interval;
  }

  /** Takes a token at `now` and returns 0, or returns how many ms until one is available. */
  take(now: number): number {
    const fullAt = Math.max(this.fullAt, now);
    const wait = fullAt - this.tolerance - now;
    // Rates like 3/s make fractional intervals: round waits up so a timer never fires early.
    if (wait > 1e-6) return Math.ceil(wait);
    this.fullAt = fullAt + this.interval;
    return 0;
  }
}

/** Throws a RangeError naming the operator when a rate or burst is unusable. */
export function checkRate(operator: string, rate: number, burst: number): void {
  if (!(rate > 0) || !Number.isFinite(rate))
    throw new RangeError(`${operator}: rate must be a positive number, got ${rate}`);
  if (!Number.isInteger(burst) || burst < 1)
    throw new RangeError(`${operator}: burst must be a positive integer, got ${burst}`);
}
