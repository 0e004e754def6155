import {
  UserCodeError,
  type Informer,
  type KubeClient,
  type KubeObject,
  type Logger,
  type Store,
  type Write,
} from '@rxinformer/core';
import type { ReconcileMetrics } from '@rxinformer/metrics';
import type { SchedulerLike } from 'rxjs';
import { describeWrite, waitForOwnWrites } from './own-writes.js';
import { attemptReconcile, type AttemptResult } from './reconcile-attempt.js';
import type { Reconciler } from './reconcile-request.js';
import type { WorkQueue } from './work-queue.js';

/** What {@link ReconcileWorkers} need from their controller. */
export interface ReconcileWorkersOptions<T extends KubeObject> {
  readonly name: string;
  readonly reconcile: Reconciler<T>;
  /** The `for` informer's cache: where a reconcile's object comes from. */
  readonly store: Store<T>;
  /** Whether this process may reconcile `key` now. */
  readonly owns: (key: string) => boolean;
  /** Queues `key` on the current queue, if any (a key held back by an overdue reconcile). */
  readonly requeue: (key: string) => void;
  /** A reconcile threw, rejected or timed out. */
  readonly failed: (error: UserCodeError) => void;
  /** The counters changed. */
  readonly changed: () => void;
  readonly timeoutMs: number;
  /** The client each request carries; its writes are recorded per reconcile. */
  readonly client: KubeClient;
  /** The caches a reconcile reads: its writes must show there before its key runs again. */
  readonly informers: readonly Informer<KubeObject>[];
  /** How long a key waits for its reconcile's writes to show; undefined: it does not wait. */
  readonly visibilityTimeoutMs: number | undefined;
  readonly scheduler: SchedulerLike;
  readonly logger: Logger;
  readonly metrics: ReconcileMetrics | undefined;
}

/**
 * The workers of a controller: they take keys from a {@link WorkQueue} and reconcile them, one
 * attempt per key at a time, even across queues (an overdue reconcile of an earlier activation
 * holds its key back until it settles). An attempt that outlives `timeoutMs` frees its worker
 * and keeps its key in flight until its promise settles.
 *
 * Read-your-writes: each request carries a client that records what its reconcile wrote. After
 * the reconcile, its key stays in flight (the queue holds a new event of it back) until the
 * caches show those writes, or `visibilityTimeoutMs` passes; the worker moves on meanwhile.
 */
export class ReconcileWorkers<T extends KubeObject> {
  readonly counts = { reconciles: 0, reconcileErrors: 0, reconcileTimeouts: 0, overdueReconciles: 0 };
  /** Every reconcile not yet settled, overdue ones of an earlier queue included. */
  private readonly inFlight = new Map<string, AbortController>();
  /** Keys handed out while an overdue reconcile of theirs still ran: queued again when it settles. */
  private readonly rerun = new Set<string>();
  /** Keys waiting for their reconcile's writes to show, and how to stop waiting. */
  private readonly waiting = new Map<string, AbortController>();

  constructor(private readonly options: ReconcileWorkersOptions<T>) {}

  /** Runs `concurrency` workers on `queue`; resolves once each got `undefined` from it (shut down). */
  async run(queue: WorkQueue, concurrency: number): Promise<void> {
    await Promise.all(Array.from({ length: concurrency }, () => this.work(queue)));
  }

  /** Aborts the in-flight reconcile of `key`, if any. */
  abort(key: string, reason: Error): void {
    this.inFlight.get(key)?.abort(reason);
  }

  /** Aborts every in-flight reconcile whose key `which` selects (default all). */
  abortAll(reason: (key: string) => Error, which: (key: string) => boolean = () => true): void {
    for (const [key, controller] of this.inFlight) if (which(key)) controller.abort(reason(key));
    for (const [key, controller] of this.waiting) if (which(key)) controller.abort(reason(key));
  }

  private async work(queue: WorkQueue): Promise<void> {
    for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
      try {
        await this.process(queue, key);
      } catch (e) {
        this.options.logger.error({ err: e, key }, 'a worker failed to process a key');
      }
    }
  }

  private async process(queue: WorkQueue, key: string): Promise<void> {
    const { options } = this;
    if (this.inFlight.has(key)) {
      // An overdue reconcile of an earlier activation still runs: this key waits for it.
      this.rerun.add(key);
      return queue.done(key);
    }
    if (!options.owns(key)) {
      queue.forget(key); // lost since it was queued
      return queue.done(key);
    }
    const abort = new AbortController();
    this.inFlight.set(key, abort);
    const slash = key.indexOf('/');
    const started = options.scheduler.now();
    options.metrics?.activeWorkers.inc();
    const writes: Write[] = [];
    const request = {
      key,
      namespace: slash >= 0 ? key.slice(0, slash) : undefined,
      name: slash >= 0 ? key.slice(slash + 1) : key,
      object: options.store.get(key),
      signal: abort.signal,
      client: options.client.withRecorder((write) => writes.push(write)),
    };
    this.counts.reconciles++;
    options.changed();
    const attempt = attemptReconcile(options.reconcile, request, abort, options.timeoutMs, options.scheduler);
    const result = await attempt.result;
    options.metrics?.activeWorkers.dec();
    options.metrics?.time.observe((options.scheduler.now() - started) / 1000);
    this.account(queue, key, result, abort.signal);
    const finish = () => {
      if (this.inFlight.get(key) === abort) this.inFlight.delete(key);
      queue.done(key);
      if (this.rerun.delete(key)) options.requeue(key);
    };
    if (result.kind !== 'timed-out') {
      if (writes.length === 0 || options.visibilityTimeoutMs === undefined) return finish();
      return this.awaitVisibility(key, writes, options.visibilityTimeoutMs, finish);
    }
    // The worker moves on; the key stays in flight (blocked) until the late promise settles.
    this.counts.overdueReconciles++;
    options.changed();
    void attempt.settled.then(() => {
      this.counts.overdueReconciles--;
      options.logger.info({ key }, 'an overdue reconcile settled: its key is free again');
      finish();
      options.changed();
    });
  }

  /** Keeps `key` in flight until the caches show `writes` (or the deadline), then `finish`es it. */
  private awaitVisibility(
    key: string,
    writes: readonly Write[],
    timeoutMs: number,
    finish: () => void,
  ): void {
    const { options } = this;
    const stop = new AbortController();
    this.waiting.set(key, stop);
    const started = options.scheduler.now();
    void waitForOwnWrites(writes, options.informers, timeoutMs, stop.signal)
      .then((outcome) => {
        if (outcome.kind === 'cancelled') return;
        options.metrics?.writeVisibility.observe((options.scheduler.now() - started) / 1000);
        if (outcome.kind === 'timed-out') {
          options.metrics?.writeVisibilityTimeouts.inc();
          options.logger.warn(
            { key, timeoutMs, writes: outcome.late.map((e) => describeWrite(e.write)) },
            "the caches did not show this reconcile's writes in time: reconciling the key again anyway",
          );
        }
      })
      .catch((e: unknown) => options.logger.error({ err: e, key }, 'waiting for own writes failed'))
      .finally(() => {
        if (this.waiting.get(key) === stop) this.waiting.delete(key);
        finish();
      });
  }

  private account(queue: WorkQueue, key: string, result: AttemptResult, signal: AbortSignal): void {
    const { metrics } = this.options;
    if (result.kind === 'returned') {
      const outcome = result.outcome;
      if (outcome?.requeueAfterMs !== undefined && outcome.requeueAfterMs > 0) {
        queue.forget(key);
        queue.addAfter(key, outcome.requeueAfterMs);
        metrics?.total.requeue_after.inc();
      } else if (outcome?.requeue) {
        queue.addRateLimited(key);
        metrics?.total.requeue.inc();
      } else {
        queue.forget(key);
        metrics?.total.success.inc();
      }
      return;
    }
    if (result.kind === 'threw' && signal.aborted) {
      // Superseded (it runs again), stopping or failing: not a failure of the reconcile.
      metrics?.total.requeue.inc();
      return;
    }
    const timedOut = result.kind === 'timed-out';
    metrics?.total.error.inc();
    metrics?.errors.inc();
    this.counts.reconcileErrors++;
    if (timedOut) this.counts.reconcileTimeouts++;
    this.options.logger.warn(
      { err: result.error, key, retries: queue.retries(key) },
      timedOut
        ? 'reconcile timed out: aborted its signal, retrying with backoff once it settles'
        : 'reconcile failed: retrying with backoff',
    );
    queue.addRateLimited(key);
    this.options.failed(new UserCodeError('reconcile', key, result.error, { source: this.options.name }));
  }
}
