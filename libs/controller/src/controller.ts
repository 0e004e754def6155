import { objectKey, silentLogger, type Informer, type KubeObject, type Logger } from '@rxinformer/core';
import {
  reconcileMetrics,
  workQueueMetrics,
  type MetricsRegistry,
  type ReconcileMetrics,
  type WorkQueueMetrics,
} from '@rxinformer/metrics';
import {
  BehaviorSubject,
  asyncScheduler,
  combineLatest,
  distinctUntilChanged,
  map,
  of,
  type Observable,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import type { KeyFilter, KeyOwnership } from './key-ownership.js';
import { controllerOwnerKeys } from './owner-key.js';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.js';
import type { Reconciler } from './reconcile-request.js';
import { WorkQueue } from './work-queue.js';

/**
 * A secondary informer whose objects map to keys of the primary resource.
 *
 * @example
 * ```ts
 * const watch: WatchSpec<V1Secret> = { informer: secrets, map: (s) => [`${s.metadata?.namespace}/${s.metadata?.labels?.site}`] };
 * ```
 */
export interface WatchSpec<K extends KubeObject> {
  readonly informer: Informer<K>;
  /** The primary keys an object maps to. */
  map(object: K): readonly string[];
}

/**
 * Options of {@link controller}.
 *
 * @example
 * ```ts
 * const options: ControllerOptions<Website> = { name: 'website', for: websites, owns: [configMaps], reconcile, concurrency: 4 };
 * ```
 */
export interface ControllerOptions<T extends KubeObject> {
  /** Names the queue and the metrics' `name`/`controller` label. */
  name: string;
  /** The primary resource: its keys are what is reconciled. */
  for: Informer<T>;
  /** Resources the primary one controls: an event maps to the key of its controlling owner (ownerReferences `controller: true`). */
  owns?: readonly Informer<KubeObject>[];
  /** Other resources, mapped to primary keys by a function. */
  watches?: readonly WatchSpec<KubeObject>[];
  reconcile: Reconciler<T>;
  /** Reconciles running at once, never two for one key (default 1). */
  concurrency?: number;
  /** Backoff of failed keys (default {@link defaultControllerRateLimiter}). */
  rateLimiter?: RateLimiter;
  /** Clock and timers (default `asyncScheduler`). */
  scheduler?: SchedulerLike;
  /** prom-client registry for controller-runtime's `workqueue_*` and `controller_runtime_reconcile_*` metrics. */
  registry?: MetricsRegistry;
  /** Which keys this process may reconcile: a {@link LeaderElector}, a {@link ShardMembership}; default all. */
  ownership?: KeyOwnership;
  logger?: Logger;
}

/**
 * A running reconcile loop.
 *
 * @example
 * ```ts
 * const c = controller({ name: 'website', for: websites, reconcile });
 * c.start();
 * process.on('SIGTERM', () => void c.stop());
 * ```
 */
export interface Controller {
  /** Subscribes the informers and starts the ownership; workers start once all informers synced and the ownership allows. */
  start(): void;
  /**
   * Stops: with `drain`, queued keys are still reconciled; without, in-flight reconciles are
   * aborted and queued keys dropped. Resolves once no reconcile runs and the ownership is
   * released (leader lease released, shard lease deleted).
   */
  stop(options?: { drain?: boolean }): Promise<void>;
  /** Whether workers run (synced, and leader or active shard member); replays the current value. */
  readonly active$: Observable<boolean>;
}

/**
 * Creates a level-triggered controller in the manner of controller-runtime: events of the
 * `for`, `owns` and `watches` informers enqueue keys in a {@link WorkQueue}; up to `concurrency`
 * workers call `reconcile` with the current object from the cache, only after every informer
 * has synced and only for keys the `ownership` allows. A key re-queued while in flight runs
 * again after; a newer event of the primary object aborts the in-flight reconcile's signal
 * (events of owned and watched objects only queue the key again). Errors are retried
 * with backoff and never stop the loop. Whenever ownership is gained or changes, every owned
 * key in the cache is queued (a new leader reconciles everything).
 *
 * @example
 * ```ts
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
 * ```
 */
export function controller<T extends KubeObject>(options: ControllerOptions<T>): Controller {
  return new ReconcileLoop(options);
}

class ReconcileLoop<T extends KubeObject> implements Controller {
  readonly active$: Observable<boolean>;
  private readonly active = new BehaviorSubject(false);
  private readonly scheduler: SchedulerLike;
  private readonly logger: Logger;
  private readonly limiter: RateLimiter;
  private readonly concurrency: number;
  private readonly queueMetrics: WorkQueueMetrics | undefined;
  private readonly metrics: ReconcileMetrics | undefined;
  private readonly inFlight = new Map<string, AbortController>();
  private readonly subscriptions: Subscription[] = [];
  private queue: WorkQueue | undefined;
  private workers: Promise<void>[] = [];
  private filter: KeyFilter | undefined;
  private transitions: Promise<void> = Promise.resolve();
  private started = false;

  constructor(private readonly options: ControllerOptions<T>) {
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.logger = (options.logger ?? silentLogger).child({ controller: options.name });
    this.limiter = options.rateLimiter ?? defaultControllerRateLimiter();
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    if (options.registry) {
      this.queueMetrics = workQueueMetrics(options.registry, options.name);
      this.metrics = reconcileMetrics(options.registry, options.name);
      this.metrics.maxConcurrentReconciles.set(this.concurrency);
    }
    this.active$ = this.active.pipe(distinctUntilChanged());
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const primary = this.options.for;
    // Only a newer version of the primary object supersedes an in-flight reconcile: events of owned
    // objects are mostly the reconcile's own writes, and just queue the key again.
    const on = (
      informer: Informer<KubeObject>,
      keysOf: (o: KubeObject) => readonly string[],
      primaryEvents = false,
    ) =>
      this.subscriptions.push(
        informer.events$.subscribe({
          next: (e) => {
            if (e.type === 'SYNCED') return;
            const supersedes = primaryEvents && e.type !== 'RESYNC' && !(e.type === 'ADDED' && e.initial);
            for (const key of keysOf(e.object)) this.enqueue(key, supersedes);
          },
          error: (err: unknown) =>
            this.logger.error({ err }, 'an informer failed: its keys are no longer queued'),
        }),
      );
    on(primary as unknown as Informer<KubeObject>, (o) => [objectKey(o)], true);
    for (const owned of this.options.owns ?? []) on(owned, (o) => controllerOwnerKeys(o, primary.resource));
    for (const watch of this.options.watches ?? []) on(watch.informer, (o) => watch.map(o));
    const informers = [
      primary as unknown as Informer<KubeObject>,
      ...(this.options.owns ?? []),
      ...(this.options.watches ?? []).map((w) => w.informer),
    ];
    const synced$ = combineLatest(informers.map((i) => i.synced$)).pipe(
      map((states) => states.every(Boolean)),
      distinctUntilChanged(),
    );
    const ownership = this.options.ownership;
    this.subscriptions.push(
      combineLatest([synced$, ownership ? ownership.ownership$ : of<KeyFilter>(() => true)]).subscribe(
        ([synced, filter]) => this.apply(synced ? filter : undefined),
      ),
    );
    ownership?.start();
  }

  async stop(options: { drain?: boolean } = {}): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.subscriptions.splice(0).forEach((s) => s.unsubscribe());
    const drain = options.drain ?? false;
    this.transitions = this.transitions.then(() => this.deactivate(drain));
    await this.transitions;
    this.filter = undefined;
    await this.options.ownership?.stop();
  }

  private enqueue(key: string, supersedes: boolean): void {
    if (supersedes)
      this.inFlight.get(key)?.abort(new Error(`reconcile of ${key} superseded by a newer event`));
    if (this.queue && this.filter?.(key)) this.queue.add(key);
  }

  private apply(filter: KeyFilter | undefined): void {
    this.filter = filter;
    if (!filter) {
      // Stop at once: no new reconcile starts, in-flight ones are aborted; the queue winds down after.
      for (const [key, controller] of this.inFlight)
        controller.abort(new Error(`this process no longer owns ${key}`));
      this.transitions = this.transitions.then(() => this.deactivate(false));
      return;
    }
    for (const [key, controller] of this.inFlight)
      if (!filter(key)) controller.abort(new Error(`this process no longer owns ${key}`));
    this.transitions = this.transitions.then(() => {
      if (this.filter !== filter) return; // superseded by a later transition
      if (!this.queue) {
        const queue = new WorkQueue({
          rateLimiter: this.limiter,
          scheduler: this.scheduler,
          ...(this.queueMetrics ? { metrics: this.queueMetrics } : {}),
        });
        this.queue = queue;
        this.workers = Array.from({ length: this.concurrency }, () => this.work(queue));
        this.active.next(true);
        this.logger.info({ concurrency: this.concurrency }, 'started workers');
      }
      for (const object of this.options.for.store.list()) {
        const key = objectKey(object);
        if (filter(key)) this.queue.add(key);
      }
    });
  }

  private async deactivate(drain: boolean): Promise<void> {
    const queue = this.queue;
    if (!queue) return;
    if (!drain)
      for (const controller of this.inFlight.values()) controller.abort(new Error('the controller stopped'));
    await queue.shutDown({ drain });
    await Promise.all(this.workers);
    this.queue = undefined;
    this.workers = [];
    this.active.next(false);
    this.logger.info({}, 'stopped workers');
  }

  private async work(queue: WorkQueue): Promise<void> {
    for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
      try {
        await this.process(queue, key);
      } finally {
        queue.done(key);
      }
    }
  }

  private async process(queue: WorkQueue, key: string): Promise<void> {
    if (!this.filter?.(key)) return queue.forget(key); // lost since it was queued
    const abort = new AbortController();
    this.inFlight.set(key, abort);
    const slash = key.indexOf('/');
    const started = this.scheduler.now();
    this.metrics?.activeWorkers.inc();
    try {
      const outcome = await this.options.reconcile({
        key,
        namespace: slash >= 0 ? key.slice(0, slash) : undefined,
        name: slash >= 0 ? key.slice(slash + 1) : key,
        object: this.options.for.store.get(key),
        signal: abort.signal,
      });
      if (outcome?.requeueAfterMs !== undefined && outcome.requeueAfterMs > 0) {
        queue.forget(key);
        queue.addAfter(key, outcome.requeueAfterMs);
        this.metrics?.total.requeue_after.inc();
      } else if (outcome?.requeue) {
        queue.addRateLimited(key);
        this.metrics?.total.requeue.inc();
      } else {
        queue.forget(key);
        this.metrics?.total.success.inc();
      }
    } catch (err) {
      if (abort.signal.aborted) {
        // Superseded (it runs again) or stopping: not a failure of the reconcile.
        this.metrics?.total.requeue.inc();
      } else {
        this.metrics?.total.error.inc();
        this.metrics?.errors.inc();
        this.logger.warn(
          { err, key, retries: queue.retries(key) },
          'reconcile failed: retrying with backoff',
        );
        queue.addRateLimited(key);
      }
    } finally {
      this.inFlight.delete(key);
      this.metrics?.activeWorkers.dec();
      this.metrics?.time.observe((this.scheduler.now() - started) / 1000);
    }
  }
}
