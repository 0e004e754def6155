/**
 * Decides how long a key waits before it is re-added after a failure, as client-go's
 * `workqueue.TypedRateLimiter` does. `when` is called once per retry and may change state
 * (count a failure, take a token); `forget` clears what it knows of a key after a success.
 *
 * @example
 * ```ts
 * const limiter: RateLimiter = defaultControllerRateLimiter();
 * const delayMs = limiter.when('shop/web', Date.now());
 * ```
 */
export interface RateLimiter {
  /** Milliseconds to wait before `key` is processed again; `now` is the current time in ms. */
  when(key: string, now: number): number;
  /** Forget the failures of `key` (it succeeded or was dropped). */
  forget(key: string): void;
  /** How many times `key` has been rate-limited since it was last forgotten. */
  retries(key: string): number;
}

/**
 * Options of {@link exponentialFailureRateLimiter}.
 *
 * @example
 * ```ts
 * const options: ExponentialFailureOptions = { baseDelayMs: 5, maxDelayMs: 1_000_000 };
 * ```
 */
export interface ExponentialFailureOptions {
  /** Delay of the first retry (default 5 ms). */
  baseDelayMs?: number;
  /** Upper bound of the delay (default 1000 s). */
  maxDelayMs?: number;
}

/**
 * Per-key exponential backoff: `baseDelayMs * 2^failures`, capped at `maxDelayMs` (client-go's
 * `ItemExponentialFailureRateLimiter`, 5 ms to 1000 s by default).
 *
 * @example
 * ```ts
 * const limiter = exponentialFailureRateLimiter({ baseDelayMs: 5, maxDelayMs: 1_000_000 });
 * limiter.when('a', 0); // 5
 * limiter.when('a', 0); // 10
 * limiter.forget('a');
 * limiter.when('a', 0); // 5
 * ```
 */
export function exponentialFailureRateLimiter(options: ExponentialFailureOptions = {}): RateLimiter {
  const base = options.baseDelayMs ?? 5;
  const max = options.maxDelayMs ?? 1_000_000;
  const failures = new Map<string, number>();
  return {
    when(key) {
      const n = failures.get(key) ?? 0;
      failures.set(key, n + 1);
      // 2^n overflows to Infinity long after the cap; Math.min keeps the result finite.
      return Math.min(base * 2 ** n, max);
    },
    forget: (key) => void failures.delete(key),
    retries: (key) => failures.get(key) ?? 0,
  };
}

/**
 * Options of {@link tokenBucketRateLimiter}.
 *
 * @example
 * ```ts
 * const options: TokenBucketOptions = { qps: 10, burst: 100 };
 * ```
 */
export interface TokenBucketOptions {
  /** Tokens added per second (default 10). */
  qps?: number;
  /** Bucket size, and tokens at start (default 100). */
  burst?: number;
}

/**
 * An overall token bucket shared by all keys (client-go's `BucketRateLimiter` over
 * `golang.org/x/time/rate`): each call reserves a token and returns how long until it is
 * available, so a burst of `burst` retries goes at once and the rest at `qps`.
 *
 * @example
 * ```ts
 * const bucket = tokenBucketRateLimiter({ qps: 10, burst: 2 });
 * bucket.when('a', 0); // 0
 * bucket.when('b', 0); // 0
 * bucket.when('c', 0); // 100
 * ```
 */
export function tokenBucketRateLimiter(options: TokenBucketOptions = {}): RateLimiter {
  const qps = options.qps ?? 10;
  const burst = options.burst ?? 100;
  let tokens = burst;
  let last: number | undefined;
  return {
    when(_key, now) {
      if (last !== undefined && now > last) tokens = Math.min(burst, tokens + ((now - last) * qps) / 1000);
      if (last === undefined || now > last) last = now;
      tokens -= 1;
      return tokens >= 0 ? 0 : (-tokens * 1000) / qps;
    },
    forget: () => undefined,
    retries: () => 0,
  };
}

/**
 * Combines limiters: the delay is the longest any of them asks for (client-go's
 * `MaxOfRateLimiter`); `retries` is the highest count.
 *
 * @example
 * ```ts
 * const limiter = maxOfRateLimiter(exponentialFailureRateLimiter(), tokenBucketRateLimiter());
 * ```
 */
export function maxOfRateLimiter(...limiters: readonly RateLimiter[]): RateLimiter {
  return {
    when: (key, now) => limiters.reduce((max, l) => Math.max(max, l.when(key, now)), 0),
    forget: (key) => limiters.forEach((l) => l.forget(key)),
    retries: (key) => limiters.reduce((max, l) => Math.max(max, l.retries(key)), 0),
  };
}

/**
 * client-go's `DefaultControllerRateLimiter`: per-key exponential backoff (5 ms to 1000 s)
 * combined with an overall token bucket (10 qps, burst 100), each configurable.
 *
 * @example
 * ```ts
 * const limiter = defaultControllerRateLimiter({ baseDelayMs: 10, maxDelayMs: 60_000, qps: 50, burst: 200 });
 * ```
 */
export function defaultControllerRateLimiter(
  options: ExponentialFailureOptions & TokenBucketOptions = {},
): RateLimiter {
  return maxOfRateLimiter(exponentialFailureRateLimiter(options), tokenBucketRateLimiter(options));
}
