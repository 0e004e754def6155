import { asyncScheduler, type SchedulerLike, type Subscription } from 'rxjs';
import type { WorkQueueMetrics } from '@rxinformer/metrics';
import { PriorityFifo } from './priority-fifo.js';
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
 * The priority the controller gives keys queued by an initial list, a resync or a new
 * leader's full requeue (controller-runtime's `LowPriority`): keys of objects that changed,
 * queued at the default priority 0, are reconciled before them.
 *
 * @example
 * ```ts
 * const queue = new WorkQueue();
 * queue.add('shop/web', { priority: LOW_PRIORITY }); // listed at start-up
 * queue.add('shop/db'); // changed since: priority 0
 * await queue.get(); // 'shop/db'
 * ```
 */
export const LOW_PRIORITY = -100;

/**
 * How {@link WorkQueue.add}, {@link WorkQueue.addAfter} and {@link WorkQueue.addRateLimited}
 * queue a key.
 *
 * @example
 * ```ts
 * const queue = new WorkQueue();
 * const options: AddOptions = { priority: LOW_PRIORITY };
 * queue.add('shop/web', options);
 * queue.addAfter('shop/web', 30_000, options);
 * ```
 */
export interface AddOptions {
  /**
   * Any number but `NaN` (default 0): `get` hands out keys of a higher priority first, and
   * keys of one priority in the order they were queued. A key queued again with a higher
   * priority than it waits with is raised to it (and goes behind the keys already waiting
   * with that priority); with an equal or lower one it keeps its place. Low-priority keys
   * wait as long as higher ones keep coming.
   */
  priority?: number;
}

/**
 * How {@link WorkQueue.shutDown} treats waiting work.
 *
 * @example
 * ```ts
 * const queue = new WorkQueue();
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

/** A key waiting for `addAfter`'s delay: when it is due, and the priority it is added with. */
interface DelayedKey {
  readonly at: number;
  priority: number;
  timer: Subscription;
}

/**
 * client-go's rate-limiting work queue of string keys, for level-triggered controllers.
 * Guarantees: a key queued many times while it waits is handed out once; a key is never handed
 * to two workers at once (re-added while in flight, it is handed out again after `done`);
 * `addRateLimited` delays a key by its {@link RateLimiter}; `addAfter` delays it by a fixed time
 * (the earliest pending delay wins). Keys have priorities ({@link AddOptions}): `get()` hands out
 * the highest first, and first in first out among equals; a key queued several times, while it
 * waits, is in flight or is delayed, keeps the highest priority it was given. Workers call `get()`
 * and, when finished, `done(key)`.
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
  private readonly queue = new PriorityFifo();
  /** Keys queued, or in flight and added again: with the highest priority they were added with. */
  private readonly dirty = new Map<string, number>();
  private readonly processing = new Map<string, number>();
  /** The priority each key in flight was handed out with. */
  private readonly handedOut = new Map<string, number>();
  private readonly addedAt = new Map<string, number>();
  private readonly delayed = new Map<string, DelayedKey>();
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
    return this.queue.size;
  }

  /** Keys handed out and not yet `done`. */
  get inFlight(): number {
    return this.processing.size;
  }

  /** Whether `shutDown` has been called. */
  get shuttingDown(): boolean {
    return this.shutdown !== undefined;
  }

  /**
   * Queues `key` unless it is already waiting, in which case a higher priority raises it;
   * ignored after shutdown. A key in flight is queued again on `done`, with the highest
   * priority it was added with meanwhile.
   *
   * @throws RangeError if `options.priority` is `NaN`.
   */
  add(key: string, options?: AddOptions): void {
    const priority = priorityOf(options);
    if (this.shutdown) return;
    const queued = this.dirty.get(key);
    if (queued !== undefined && queued >= priority) return;
    this.dirty.set(key, priority);
    if (queued === undefined) this.metrics?.adds.inc();
    if (this.processing.has(key)) return; // handed out again on done()
    if (queued === undefined) this.enqueue(key, priority);
    else this.queue.push(key, priority); // raised; it keeps its addedAt
  }

  /**
   * Queues `key` with `options.priority` after `delayMs` (at once if not positive); without a
   * priority, a key in flight keeps the one it was handed out with (a requeue of a reconcile does
   * not demote or promote it), any other gets 0. An earlier
   * pending delay wins, and the key is then added with the highest priority of its pending
   * delays. A delay longer than a timer can hold (2^31 - 1 ms, about 24.8 days) still waits its
   * full length: the timer is re-armed until the time comes.
   *
   * @throws RangeError if `options.priority` is `NaN`.
   */
  addAfter(key: string, delayMs: number, options?: AddOptions): void {
    const priority = priorityOf(options, this.handedOut.get(key));
    if (this.shutdown) return;
    if (!(delayMs > 0)) return this.add(key, { priority });
    const at = this.scheduler.now() + delayMs;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) {
      pending.priority = Math.max(pending.priority, priority);
      return;
    }
    pending?.timer.unsubscribe();
    const highest = Math.max(pending?.priority ?? priority, priority);
    this.delayed.set(key, { at, priority: highest, timer: this.arm(key, at) });
  }

  /**
   * Queues `key` with `options.priority` after the delay its rate limiter assigns (a retry
   * after a failure); as in `addAfter`, a key in flight keeps its priority by default, and
   * pending delays of `key` combine.
   *
   * @throws RangeError if `options.priority` is `NaN`.
   */
  addRateLimited(key: string, options?: AddOptions): void {
    const priority = priorityOf(options, this.handedOut.get(key));
    if (this.shutdown) return;
    this.metrics?.retries.inc();
    this.addAfter(key, this.limiter.when(key, this.scheduler.now()), { priority });
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
    this.handedOut.delete(key);
    this.metrics?.workDuration.observe((this.scheduler.now() - started) / 1000);
    this.updateInFlightGauges();
    const priority = this.dirty.get(key);
    if (priority !== undefined) this.enqueue(key, priority);
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
      handedBack.push(...this.dirty.keys());
      this.metrics?.depth.dec(this.queue.size);
      this.queue.clear();
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
        this.add(key, { priority: pending.priority });
      },
      Math.min(at - this.scheduler.now(), MAX_TIMER_MS),
    );
  }

  private enqueue(key: string, priority: number): void {
    this.queue.push(key, priority);
    this.addedAt.set(key, this.scheduler.now());
    this.metrics?.depth.inc();
    const waiter = this.waiters.shift();
    if (waiter) waiter(this.take());
  }

  private take(): string | undefined {
    const key = this.queue.shift();
    if (key === undefined) return undefined;
    const now = this.scheduler.now();
    this.handedOut.set(key, this.dirty.get(key) ?? 0);
    this.dirty.delete(key);
    this.processing.set(key, now);
    this.metrics?.depth.dec();
    this.metrics?.queueDuration.observe((now - (this.addedAt.get(key) ?? now)) / 1000);
    this.addedAt.delete(key);
    this.updateInFlightGauges();
    return key;
  }

  private finished(): boolean {
    return this.shutdown !== undefined && this.queue.size === 0;
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

/** The priority `options` ask for (default 0). */
function priorityOf(options: AddOptions | undefined, fallback = 0): number {
  const priority = options?.priority ?? fallback;
  if (Number.isNaN(priority)) throw new RangeError('WorkQueue: a priority must be a number, not NaN');
  return priority;
}
