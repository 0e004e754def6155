import { asyncScheduler, type SchedulerLike, type Subscription } from 'rxjs';
import type { WorkQueueMetrics } from '@rxinformer/metrics';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.js';

/** The longest delay a timer takes (Node's setTimeout fires at once beyond it). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Options of a {@link WorkQueue}.
 *
 * @example
 * ```ts
 * const options: WorkQueueOptions = { rateLimiter: defaultControllerRateLimiter({ qps: 50 }), scheduler: asyncScheduler };
 * ```
 */
export interface WorkQueueOptions {
  /** Delays of `addRateLimited` (default {@link defaultControllerRateLimiter}). */
  rateLimiter?: RateLimiter;
  /** Clock and timers of delayed adds (default `asyncScheduler`); a virtual one in tests. */
  scheduler?: SchedulerLike;
  /** `workqueue_*` metrics to update, from `@rxinformer/metrics`' `workQueueMetrics`. */
  metrics?: WorkQueueMetrics;
}

/**
 * How {@link WorkQueue.shutDown} treats waiting work.
 *
 * @example
 * ```ts
 * const leftover = await queue.shutDown({ drain: true });
 * ```
 */
export interface ShutDownOptions {
  /**
   * `true`: keys already queued are still handed to workers, and shutdown completes once the
   * queue is empty and nothing is in flight (client-go's `ShutDownWithDrain`). `false`
   * (default): queued keys are handed back at once and workers get `undefined`; shutdown
   * completes once the in-flight keys are `done`.
   */
  drain?: boolean;
}

/**
 * client-go's rate-limiting work queue of string keys, for level-triggered controllers.
 * Guarantees: a key queued many times while it waits is handed out once; a key is never handed
 * to two workers at once (re-added while in flight, it is handed out again after `done`);
 * `addRateLimited` delays a key by its {@link RateLimiter}; `addAfter` delays it by a fixed time
 * (the earliest pending delay wins). Workers call `get()` and, when finished, `done(key)`.
 *
 * @example
 * ```ts
 * const queue = new WorkQueue();
 * queue.add('shop/web');
 * for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
 *   try { await reconcile(key); queue.forget(key); } catch { queue.addRateLimited(key); }
 *   finally { queue.done(key); }
 * }
 * ```
 */
export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Map<string, number>();
  private readonly addedAt = new Map<string, number>();
  private readonly delayed = new Map<string, { readonly at: number; timer: Subscription }>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private readonly limiter: RateLimiter;
  private readonly scheduler: SchedulerLike;
  private readonly metrics: WorkQueueMetrics | undefined;
  private shutdown: { drain: boolean; resolve: () => void; promise: Promise<void> } | undefined;

  constructor(options: WorkQueueOptions = {}) {
    this.limiter = options.rateLimiter ?? defaultControllerRateLimiter();
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.metrics = options.metrics;
  }

  /** Keys waiting to be handed out (not counting delayed or in-flight ones). */
  get length(): number {
    return this.queue.length;
  }

  /** Keys handed out and not yet `done`. */
  get inFlight(): number {
    return this.processing.size;
  }

  /** Whether `shutDown` has been called. */
  get shuttingDown(): boolean {
    return this.shutdown !== undefined;
  }

  /** Queues `key` unless it is already waiting; ignored after shutdown. */
  add(key: string): void {
    if (this.shutdown || this.dirty.has(key)) return;
    this.dirty.add(key);
    this.metrics?.adds.inc();
    if (this.processing.has(key)) return; // handed out again on done()
    this.enqueue(key);
  }

  /**
   * Queues `key` after `delayMs` (at once if not positive). An earlier pending delay wins.
   * A delay longer than a timer can hold (2^31 - 1 ms, about 24.8 days) still waits its full
   * length: the timer is re-armed until the time comes.
   */
  addAfter(key: string, delayMs: number): void {
    if (this.shutdown) return;
    if (!(delayMs > 0)) return this.add(key);
    const at = this.scheduler.now() + delayMs;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    pending?.timer.unsubscribe();
    this.delayed.set(key, { at, timer: this.arm(key, at) });
  }

  /** Queues `key` after the delay its rate limiter assigns (a retry after a failure). */
  addRateLimited(key: string): void {
    if (this.shutdown) return;
    this.metrics?.retries.inc();
    this.addAfter(key, this.limiter.when(key, this.scheduler.now()));
  }

  /** Clears the rate limiter's memory of `key`: call it when `key` succeeded. */
  forget(key: string): void {
    this.limiter.forget(key);
  }

  /** How many times `key` was retried since it was last forgotten. */
  retries(key: string): number {
    return this.limiter.retries(key);
  }

  /** The next key to process; waits for one. `undefined` once the queue is shut down (and drained). */
  get(): Promise<string | undefined> {
    const key = this.take();
    if (key !== undefined || this.finished()) return Promise.resolve(key);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks `key` as processed; if it was re-added meanwhile, it is queued again. */
  done(key: string): void {
    const started = this.processing.get(key);
    if (started === undefined) return;
    this.processing.delete(key);
    this.metrics?.workDuration.observe((this.scheduler.now() - started) / 1000);
    this.updateInFlightGauges();
    if (this.dirty.has(key)) this.enqueue(key);
    this.settle();
  }

  /**
   * Stops accepting keys and cancels delayed ones. Resolves, once in-flight keys are `done`,
   * with the keys that were never handed out (queued or delayed).
   */
  async shutDown(options: ShutDownOptions = {}): Promise<readonly string[]> {
    if (!this.shutdown) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.shutdown = { drain: options.drain ?? false, resolve, promise };
    }
    const handedBack = [...this.delayed.keys()];
    for (const { timer } of this.delayed.values()) timer.unsubscribe();
    this.delayed.clear();
    if (!this.shutdown.drain) {
      handedBack.push(...this.dirty);
      this.metrics?.depth.dec(this.queue.length);
      this.queue.length = 0;
      this.dirty.clear();
      this.addedAt.clear();
    }
    this.settle();
    await this.shutdown.promise;
    return [...new Set(handedBack)];
  }

  /** A timer for the delayed `key`; a longer wait than one timer can hold takes several. */
  private arm(key: string, at: number): Subscription {
    return this.scheduler.schedule(
      () => {
        const pending = this.delayed.get(key);
        if (pending === undefined) return;
        if (this.scheduler.now() < at) {
          pending.timer = this.arm(key, at);
          return;
        }
        this.delayed.delete(key);
        this.add(key);
      },
      Math.min(at - this.scheduler.now(), MAX_TIMER_MS),
    );
  }

  private enqueue(key: string): void {
    this.queue.push(key);
    this.addedAt.set(key, this.scheduler.now());
    this.metrics?.depth.inc();
    const waiter = this.waiters.shift();
    if (waiter) waiter(this.take());
  }

  private take(): string | undefined {
    const key = this.queue.shift();
    if (key === undefined) return undefined;
    const now = this.scheduler.now();
    this.dirty.delete(key);
    this.processing.set(key, now);
    this.metrics?.depth.dec();
    this.metrics?.queueDuration.observe((now - (this.addedAt.get(key) ?? now)) / 1000);
    this.addedAt.delete(key);
    this.updateInFlightGauges();
    return key;
  }

  private finished(): boolean {
    return this.shutdown !== undefined && this.queue.length === 0;
  }

  private settle(): void {
    if (!this.finished()) return;
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
    if (this.processing.size === 0) this.shutdown?.resolve();
  }

  private updateInFlightGauges(): void {
    if (!this.metrics) return;
    const now = this.scheduler.now();
    let total = 0;
    let longest = 0;
    for (const started of this.processing.values()) {
      total += now - started;
      longest = Math.max(longest, now - started);
    }
    this.metrics.unfinishedWork.set(total / 1000);
    this.metrics.longestRunningProcessor.set(longest / 1000);
  }
}
