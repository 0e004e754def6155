import { objectKey, silentLogger, type KubeObject, type Logger, type UserCodeError } from '@rxinformer/core';
import { reconcileMetrics, workQueueMetrics, type WorkQueueMetrics } from '@rxinformer/metrics';
import {
  BehaviorSubject,
  NEVER,
  asyncScheduler,
  catchError,
  combineLatest,
  distinctUntilChanged,
  map,
  of,
  type Observable,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import {
  DEFAULT_RECONCILE_TIMEOUT_MS,
  DEFAULT_WRITE_VISIBILITY_TIMEOUT_MS,
  type ControllerOptions,
} from './controller-options.js';
import {
  idleControllerStatus,
  type ControllerFailure,
  type ControllerPhase,
  type ControllerStatus,
} from './controller-status.js';
import type { KeyFilter } from './key-ownership.js';
import { keySources, type KeySource } from './key-sources.js';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.js';
import { ReconcileWorkers } from './reconcile-workers.js';
import { LOW_PRIORITY, WorkQueue } from './work-queue.js';

/**
 * A running reconcile loop.
 *
 * @example
 * ```ts
 * const c = controller({ name: 'website', for: websites, reconcile });
 * c.start();
 * c.done.catch((err) => { console.error('controller failed:', err); process.exitCode = 1; });
 * process.on('SIGTERM', () => void c.stop());
 * ```
 */
export interface Controller {
  /** Subscribes the informers and starts the ownership; workers start once all informers synced and the ownership allows. */
  start(): void;
  /**
   * Stops: with `drain`, queued keys are still reconciled; without, in-flight reconciles are
   * aborted and queued keys dropped. Resolves once no reconcile runs (or each remaining one has
   * outlived its timeout) and the ownership is released (leader lease released, shard lease
   * deleted). Never rejects; after a failure it resolves once the failure's cleanup is done.
   */
  stop(options?: { drain?: boolean }): Promise<void>;
  /**
   * Whether workers run (synced, and leader or active shard member): `status.phase === 'active'`.
   * Turns `false` once the workers stopped, and at once on a failure (no reconcile starts after
   * it); replays the current value.
   */
  readonly active$: Observable<boolean>;
  /** The controller's phase, failure and user-code errors; replays the current value, never errors. */
  readonly status$: Observable<ControllerStatus>;
  /** The current status snapshot. */
  readonly status: ControllerStatus;
  /**
   * Settles when the current run (before `start()`, the first) ends: resolves after `stop()`
   * and after the stop an informer's completion causes (its factory shut down); rejects with
   * the typed error once a failure's cleanup is done (workers stopped, ownership
   * released). Unobserved, its rejection is never reported as unhandled. `start()` after the
   * end begins a new run with a new `done`.
   */
  readonly done: Promise<void>;
}

/**
 * Creates a level-triggered controller in the manner of controller-runtime: events of the
 * `for`, `owns` and `watches` informers enqueue keys in a {@link WorkQueue}; up to `concurrency`
 * workers call `reconcile` with the current object from the cache, only after every informer
 * has synced and only for keys the `ownership` allows. A key re-queued while in flight runs
 * again after; a newer event of the primary object aborts the in-flight reconcile's signal
 * (events of owned and watched objects only queue the key again). Errors are retried
 * with backoff and never stop the loop. Whenever ownership is gained or changes, every owned
 * key in the cache is queued (a new leader reconciles everything). The queue has priorities:
 * keys of objects that changed are reconciled before keys queued only by an initial list, a
 * resync or that full requeue ({@link LOW_PRIORITY}), and a retry keeps the key's priority.
 *
 * Failures are data, never an unhandled error:
 * - A reconcile that throws (synchronously too) or rejects is retried with the rate limiter's
 *   backoff; one that outlives `reconcileTimeoutMs` is aborted and retried the same way. Both
 *   show on `status$` as `lastError`, a `UserCodeError` of site `reconcile`.
 * - A mapper that throws or returns garbage queues no key for that object (the valid keys it
 *   returned are kept) and shows on `status$` as a `UserCodeError` of site `mapper`.
 * - A fatal error of any informer (401, 403, 404, an invalid selector) or of the ownership
 *   fails the controller: no reconcile starts any more, in-flight ones are aborted (their signal
 *   carries the error), the ownership is stopped (a leader releases its Lease so another replica
 *   takes over), `status$` turns `failed` with the error and its source, and `done` rejects
 *   with the error. The process lives; what to do next (exit, alert) is the application's call.
 * - An informer of `for`, `owns` or `watches` that completes (its factory was shut down) stops
 *   the controller as `stop()` without drain does: in-flight reconciles are aborted, queued
 *   keys dropped, the ownership is stopped, `status$` turns `stopped` and `done` resolves.
 *
 * @example
 * ```ts
 * declare function ensureConfigMap(site: Website, signal: AbortSignal): Promise<void>; // yours
 * const informers = createInformerFactory({ kubeConfig: kc });
 * const websites = informers.informer(Websites);
 * const c = controller({
 *   name: 'website',
 *   for: websites,
 *   owns: [informers.informer(ConfigMaps)],
 *   reconcile: async ({ object, signal }) => { if (object) await ensureConfigMap(object, signal); },
 *   concurrency: 4,
 *   ownership: new LeaderElector({ kubeConfig: kc, namespace: 'default', name: 'website-operator', identity: 'pod-a' }),
 *   registry,
 * });
 * c.start();
 * c.done.catch(() => process.exit(1)); // a failed controller has already released the lease
 * ```
 */
export function controller<T extends KubeObject>(options: ControllerOptions<T>): Controller {
  return new ReconcileLoop(options);
}

/** The read-your-writes deadline the options ask for; undefined when it is off. */
function visibilityTimeout(option: ControllerOptions<KubeObject>['readYourWrites']): number | undefined {
  if (option === false) return undefined;
  const timeoutMs = option === true || option === undefined ? undefined : option.timeoutMs;
  return timeoutMs ?? DEFAULT_WRITE_VISIBILITY_TIMEOUT_MS;
}

/** One run, from `start()` to the end of a stop or a failure. */
interface Run {
  readonly done: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

function newRun(): Run {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const done = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  done.catch(() => undefined); // an unobserved failure is on status$, not an unhandled rejection
  return { done, resolve, reject };
}

type Lifecycle = 'idle' | 'running' | 'stopping' | 'stopped' | 'failed';

class ReconcileLoop<T extends KubeObject> implements Controller {
  readonly active$: Observable<boolean>;
  readonly status$: Observable<ControllerStatus>;
  private readonly state = new BehaviorSubject<ControllerStatus>(idleControllerStatus);
  private readonly scheduler: SchedulerLike;
  private readonly logger: Logger;
  private readonly limiter: RateLimiter;
  private readonly concurrency: number;
  private readonly queueMetrics: WorkQueueMetrics | undefined;
  private readonly workers: ReconcileWorkers<T>;
  private readonly subscriptions: Subscription[] = [];
  private lifecycle: Lifecycle = 'idle';
  private run = newRun();
  private ended = false;
  private teardown: Promise<void> | undefined;
  private failure: ControllerFailure | undefined;
  private synced = false;
  private queue: WorkQueue | undefined;
  private running: Promise<void> = Promise.resolve();
  private filter: KeyFilter | undefined;
  private transitions: Promise<void> = Promise.resolve();
  private mapperErrors = 0;
  private lastError: UserCodeError | undefined;

  constructor(private readonly options: ControllerOptions<T>) {
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.logger = (options.logger ?? silentLogger).child({ controller: options.name });
    this.limiter = options.rateLimiter ?? defaultControllerRateLimiter();
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    const metrics = options.registry ? reconcileMetrics(options.registry, options.name) : undefined;
    if (options.registry) this.queueMetrics = workQueueMetrics(options.registry, options.name);
    metrics?.maxConcurrentReconciles.set(this.concurrency);
    this.workers = new ReconcileWorkers<T>({
      name: options.name,
      reconcile: options.reconcile,
      store: options.for.store,
      owns: (key) => this.owns(key),
      requeue: (key) => this.enqueue(key, false),
      failed: (error) => {
        this.lastError = error;
        this.publish();
      },
      changed: () => this.publish(),
      timeoutMs: options.reconcileTimeoutMs ?? DEFAULT_RECONCILE_TIMEOUT_MS,
      client: options.client ?? options.for.client,
      informers: [...new Set(keySources(options).map((s) => s.informer))],
      visibilityTimeoutMs: visibilityTimeout(options.readYourWrites),
      scheduler: this.scheduler,
      logger: this.logger,
      metrics,
    });
    this.status$ = this.state.asObservable();
    this.active$ = this.state.pipe(
      map((s) => s.phase === 'active'),
      distinctUntilChanged(),
    );
  }

  get status(): ControllerStatus {
    return this.state.value;
  }

  get done(): Promise<void> {
    return this.run.done;
  }

  start(): void {
    if (this.lifecycle === 'running' || this.teardown) return;
    if (this.ended) this.run = newRun();
    this.ended = false;
    this.lifecycle = 'running';
    this.failure = undefined;
    this.synced = false;
    this.publish();
    const sources = keySources(this.options);
    for (const source of sources) this.track(this.listen(source));
    const synced$ = combineLatest(
      sources.map((s) => s.informer.synced$.pipe(catchError((e: unknown) => this.failed(s.failure, e)))),
    ).pipe(
      map((states) => states.every(Boolean)),
      distinctUntilChanged(),
    );
    const ownership = this.options.ownership;
    const filter$ = ownership
      ? ownership.ownership$.pipe(
          catchError((e: unknown) =>
            this.failed({ source: 'ownership', index: undefined, resource: undefined }, e),
          ),
        )
      : of<KeyFilter>(() => true);
    this.track(
      combineLatest([synced$, filter$]).subscribe(([synced, filter]) => {
        this.synced = synced;
        this.apply(synced ? filter : undefined);
      }),
    );
    if (this.lifecycle === 'running') ownership?.start();
  }

  stop(options: { drain?: boolean } = {}): Promise<void> {
    if (this.teardown) return this.teardown;
    if (this.lifecycle !== 'running') return Promise.resolve();
    this.lifecycle = 'stopping';
    this.teardown = this.tearDown(options.drain ?? false, undefined);
    return this.teardown;
  }

  private listen(source: KeySource): Subscription {
    // Only a newer version of the primary object supersedes an in-flight reconcile: events of owned
    // objects are mostly the reconcile's own writes, and just queue the key again.
    return source.informer.events$.subscribe({
      next: (e) => {
        if (e.type === 'SYNCED') return;
        // Keys of objects that changed go first; the initial list and resyncs only confirm.
        const unchanged = e.type === 'RESYNC' || (e.type === 'ADDED' && e.initial);
        const supersedes = source.primary && !unchanged;
        const { keys, error } = source.keysOf(e.object);
        if (error) this.mapperFailed(error);
        for (const key of keys) this.enqueue(key, supersedes, unchanged ? LOW_PRIORITY : 0);
      },
      error: (e: unknown) => void this.failed(source.failure, e),
      complete: () => this.completed(source),
    });
  }

  /** An informer ended (its factory shut down): with nothing left to feed it, the run stops. */
  private completed(source: KeySource): void {
    if (this.lifecycle !== 'running') return;
    const { index, resource } = source.failure;
    this.logger.warn(
      { source: source.failure.source, index, resource },
      'an informer completed (its factory shut down): stopping the controller',
    );
    this.lifecycle = 'stopping';
    const reason = new Error(`the controller stopped: the ${String(resource)} informer completed`);
    this.teardown = this.tearDown(false, undefined, reason);
  }

  private track(subscription: Subscription): void {
    if (this.lifecycle === 'running') this.subscriptions.push(subscription);
    else subscription.unsubscribe(); // failed while subscribing
  }

  /** Fails the controller (the first fatal error wins); returns what a `catchError` goes on with. */
  private failed(
    where: Pick<ControllerFailure, 'source' | 'index' | 'resource'>,
    e: unknown,
  ): Observable<never> {
    if (this.lifecycle !== 'running') return NEVER;
    const error = e instanceof Error ? e : new Error(String(e));
    this.failure = { ...where, error };
    this.lifecycle = 'failed';
    this.logger.error(
      { err: error, source: where.source, index: where.index, resource: where.resource },
      'the controller failed: stopping its workers and releasing its ownership',
    );
    this.publish();
    this.teardown = this.tearDown(false, error);
    return NEVER;
  }

  private async tearDown(
    drain: boolean,
    error: Error | undefined,
    reason: Error = error ?? new Error('the controller stopped'),
  ): Promise<void> {
    this.subscriptions.splice(0).forEach((s) => s.unsubscribe());
    if (!drain) this.filter = undefined; // a drain still reconciles the keys it owns
    this.chain(() => this.deactivate(drain, reason));
    await this.transitions;
    this.filter = undefined;
    try {
      await this.options.ownership?.stop();
    } catch (e) {
      this.logger.warn({ err: e }, 'could not stop the ownership');
    }
    if (this.lifecycle === 'stopping') this.lifecycle = 'stopped';
    this.teardown = undefined;
    this.ended = true;
    this.publish();
    if (error) this.run.reject(error);
    else this.run.resolve();
  }

  /** Whether this process may reconcile `key` now; a throwing filter counts as "no". */
  private owns(key: string): boolean {
    try {
      return this.filter?.(key) ?? false;
    } catch (e) {
      this.logger.warn({ err: e, key }, 'the ownership filter threw: the key is not reconciled');
      return false;
    }
  }

  private enqueue(key: string, supersedes: boolean, priority = 0): void {
    if (supersedes) this.workers.abort(key, new Error(`reconcile of ${key} superseded by a newer event`));
    if (this.queue && this.owns(key)) this.queue.add(key, { priority });
  }

  /** Appends a step to the ownership transitions; a failing step is logged, never breaks the chain. */
  private chain(step: () => Promise<void> | void): void {
    this.transitions = this.transitions
      .then(step)
      .catch((e: unknown) => this.logger.error({ err: e }, 'an ownership transition failed'));
  }

  private apply(filter: KeyFilter | undefined): void {
    this.filter = filter;
    const lost = (key: string) => new Error(`this process no longer owns ${key}`);
    if (!filter) {
      // Stop at once: no new reconcile starts, in-flight ones are aborted; the queue winds down after.
      this.workers.abortAll(lost);
      this.chain(() => this.deactivate(false, new Error('this process no longer owns its keys')));
      return;
    }
    this.workers.abortAll(lost, (key) => !this.owns(key));
    this.chain(() => {
      if (this.filter !== filter) return; // superseded by a later transition
      if (!this.queue) {
        const queue = new WorkQueue({
          rateLimiter: this.limiter,
          scheduler: this.scheduler,
          ...(this.queueMetrics ? { metrics: this.queueMetrics } : {}),
        });
        this.queue = queue;
        this.running = this.workers.run(queue, this.concurrency);
        this.publish();
        this.logger.info({ concurrency: this.concurrency }, 'started workers');
      }
      for (const object of this.options.for.store.list()) {
        const key = objectKey(object);
        if (this.owns(key)) this.queue.add(key, { priority: LOW_PRIORITY });
      }
    });
  }

  private async deactivate(drain: boolean, reason: Error): Promise<void> {
    const queue = this.queue;
    if (!queue) return this.publish();
    if (!drain) this.workers.abortAll(() => reason);
    // Its promise waits for overdue reconciles too; the workers are what must end.
    void queue.shutDown({ drain });
    await this.running;
    this.queue = undefined;
    const overdue = this.workers.counts.overdueReconciles;
    if (overdue > 0)
      this.logger.warn({ overdue }, 'stopped workers; reconciles that outlived their timeout still run');
    else this.logger.info({}, 'stopped workers');
    this.publish();
  }

  private mapperFailed(error: UserCodeError): void {
    this.mapperErrors++;
    this.lastError = error;
    this.logger.warn(
      { err: error, key: error.objectKey, source: error.source },
      'a mapper failed: the object queued only the valid keys it returned',
    );
    this.publish();
  }

  private phase(): ControllerPhase {
    if (this.lifecycle === 'idle' || this.lifecycle === 'stopped' || this.lifecycle === 'failed')
      return this.lifecycle;
    if (this.queue) return 'active';
    if (this.lifecycle === 'stopping') return 'stopped';
    if (!this.synced) return 'waiting-for-sync';
    // Workers are about to start (a transition is queued): no flicker through `standby`.
    const previous = this.state.value.phase;
    return this.filter && previous !== 'active' ? previous : 'standby';
  }

  private publish(): void {
    const previous = this.state.value;
    const next: ControllerStatus = {
      phase: this.phase(),
      failure: this.failure,
      lastError: this.lastError,
      mapperErrors: this.mapperErrors,
      ...this.workers.counts,
    };
    const changed = (Object.keys(next) as (keyof ControllerStatus)[]).some((k) => next[k] !== previous[k]);
    if (changed) this.state.next(next);
  }
}
