import { Observable, Subject, Subscription, of, race, share, timer, type SchedulerLike } from 'rxjs';
import { waitForCacheSync, type CacheSyncOptions } from './cache-sync.js';
import { CacheWriter } from './cache-writer.js';
import type { KubeClient } from './client/kube-client.js';
import type { Write } from './client/write.js';
import { InformerStoppedError } from './errors.js';
import type { InformerEvent } from './events.js';
import type { InformerHealth } from './health.js';
import { HealthTracker } from './health-tracker.js';
import { IndexedStore } from './indexed-store.js';
import type { EventsOptions, Informer, InformerRun, InformerScope } from './informer.js';
import type { Logger } from './logger.js';
import { WriteWaiter, type WaitForOptions } from './read-your-writes.js';
import { Reflector, type ReflectorOptions } from './reflector.js';
import type { KubeObject } from './resources/kube-object.js';
import { resourceName, type ResourceDescriptor } from './resources/resource.js';
import type { Indexers, Store } from './store.js';
import type { ListerWatcher } from './transport/types.js';

/** Everything a {@link SharedInformer} is built from; the factory assembles it. */
export interface SharedInformerConfig<T extends KubeObject> {
  readonly resource: ResourceDescriptor<T>;
  readonly scope: InformerScope;
  readonly indexers: Indexers<T>;
  readonly listerWatcher: ListerWatcher<T>;
  readonly scheduler: SchedulerLike;
  readonly random: () => number;
  readonly logger: Logger;
  readonly resyncPeriod: number;
  readonly lingerMs: number;
  /** Transform and freeze: what every object goes through before it is cached. */
  readonly prepare: (object: T) => T;
  readonly reflector: ReflectorOptions;
  /** Emits (and replays) once when the factory shuts down. */
  readonly shutdown: Observable<unknown>;
  /** The factory's client, exposed as `informer.client`. */
  readonly client: KubeClient;
}

/**
 * The informer behind {@link Informer}: one reflector, one store, and the observables over
 * them. A ref-counted "running" stream owns the reflector; every public observable holds it
 * while subscribed, so the first subscriber starts the LIST+WATCH and the last one (after the
 * linger period) stops it.
 */
export class SharedInformer<T extends KubeObject> implements Informer<T> {
  readonly resource: ResourceDescriptor<T>;
  readonly client: KubeClient;
  readonly scope: Readonly<InformerScope>;
  readonly events$: Observable<InformerEvent<T>>;
  readonly items$: Observable<readonly T[]>;
  readonly synced$: Observable<boolean>;
  readonly health$: Observable<InformerHealth>;
  private readonly indexedStore: IndexedStore<T>;
  private readonly tracker: HealthTracker;
  private readonly writer: CacheWriter<T>;
  private readonly waits: WriteWaiter<T>;
  private readonly live = new Subject<InformerEvent<T>>();
  private readonly running$: Observable<never>;
  /** The current start's `synced`, or the last one's if it failed; undefined when idle. */
  private run: SyncedPromise | undefined;
  /** Whether the last run ended with a fatal error. */
  private failed = false;
  private readonly idle: SyncedPromise;

  constructor(private readonly config: SharedInformerConfig<T>) {
    this.resource = config.resource;
    this.client = config.client;
    this.scope = Object.freeze({ ...config.scope });
    this.indexedStore = new IndexedStore(config.indexers);
    this.tracker = new HealthTracker(config.scheduler, () => this.indexedStore.size);
    this.writer = new CacheWriter(
      this.indexedStore,
      config.prepare,
      (event) => this.live.next(event),
      this.tracker,
      resourceName(config.resource),
    );
    this.waits = new WriteWaiter({
      resource: config.resource,
      scope: this.scope,
      store: this.indexedStore,
      processed: () => this.writer.lastResourceVersion,
      scheduler: config.scheduler,
      health: this.tracker,
    });
    this.idle = settledPromise(
      new InformerStoppedError(
        `the ${resourceName(config.resource)} informer is not running: subscribe to one of its observables or call start() first`,
      ),
    );
    this.running$ = this.createRunning();
    this.events$ = this.events();
    this.items$ = this.createItems();
    this.synced$ = this.createSynced();
    this.health$ = this.tracker.changes;
  }

  get store(): Store<T> {
    return this.indexedStore;
  }

  get health(): InformerHealth {
    return this.tracker.current;
  }

  get synced(): Promise<void> {
    return (this.run ?? this.idle).promise;
  }

  waitForSync(options: CacheSyncOptions = {}): Promise<void> {
    return waitForCacheSync([this], options, this.config.scheduler);
  }

  waitFor(write: Write | KubeObject, options?: WaitForOptions): Promise<void> {
    return this.waits.waitFor(write, options);
  }

  /** Adds indexes to a running or stopped informer (client-go's `AddIndexers`). */
  addIndexers(indexers: Indexers<T>): void {
    this.indexedStore.addIndexers(indexers);
  }

  events(options: EventsOptions = {}): Observable<InformerEvent<T>> {
    const resyncPeriod = options.resyncPeriod ?? this.config.resyncPeriod;
    return new Observable<InformerEvent<T>>((subscriber) => {
      const running = this.running$.subscribe({
        error: (e) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
      // The replay and the live subscription happen in one synchronous block: no event can
      // slip between them, so each object reaches the subscriber once, in order.
      const snapshot = this.indexedStore.list();
      for (let i = 0; i < snapshot.length && !subscriber.closed; i++) {
        subscriber.next({ type: 'ADDED', object: snapshot[i]!, initial: true });
      }
      if (this.writer.isSynced && !subscriber.closed) {
        subscriber.next({
          type: 'SYNCED',
          size: snapshot.length,
          resourceVersion: this.writer.lastResourceVersion,
        });
      }
      const live = this.live.subscribe((event) => subscriber.next(event));
      const resync =
        resyncPeriod > 0
          ? timer(resyncPeriod, resyncPeriod, this.config.scheduler).subscribe(() => {
              if (!this.writer.isSynced) return;
              for (const object of this.indexedStore.list()) {
                if (subscriber.closed) return;
                subscriber.next({ type: 'RESYNC', object });
              }
            })
          : undefined;
      return () => {
        live.unsubscribe();
        resync?.unsubscribe();
        running.unsubscribe();
      };
    });
  }

  start(): InformerRun {
    let settle!: { resolve(): void; reject(error: unknown): void };
    const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    done.catch(() => undefined); // a run nobody awaits must not become an unhandled rejection
    const run = new Subscription() as InformerRun & Subscription;
    Object.defineProperty(run, 'done', { value: done, enumerable: true });
    run.add(() => settle.resolve());
    run.add(
      this.running$.subscribe({
        error: (error: unknown) => settle.reject(error),
        complete: () => settle.resolve(),
      }),
    );
    return run;
  }

  private createRunning(): Observable<never> {
    const { config } = this;
    const context = {
      verb: 'list' as const,
      resource: resourceName(config.resource),
      namespace: config.scope.namespace,
    };
    const logger = config.logger.child({ resource: context.resource, namespace: context.namespace });
    const source = new Observable<never>((subscriber) => {
      let failed = false;
      this.failed = false;
      this.writer.reset();
      this.tracker.reset();
      this.waits.start();
      const run = syncedPromise();
      this.run = run;
      const reflector = new Reflector<T>(
        {
          listerWatcher: config.listerWatcher,
          context,
          scheduler: config.scheduler,
          random: config.random,
          health: this.tracker,
          logger,
          sink: (event) => {
            this.writer.apply(event);
            // Read-your-writes costs one comparison per event while nothing waits.
            if (event.type === 'list-done') {
              run.resolve();
              this.waits.applied(event);
            } else if (this.waits.pending > 0) this.waits.applied(event);
          },
          fatal: (error) => {
            failed = this.failed = true;
            run.reject(error);
            this.waits.stop(error);
            subscriber.error(error);
          },
        },
        config.reflector,
      );
      logger.debug({}, 'informer starting');
      const shutdown = config.shutdown.subscribe(() => subscriber.complete());
      if (!subscriber.closed) reflector.start();
      return () => {
        shutdown.unsubscribe();
        reflector.stop();
        // After a fatal error the cache and its `synced` stay readable for diagnosis; a restart clears them.
        if (!failed) {
          this.waits.stop();
          run.reject(
            new InformerStoppedError(`the ${context.resource} informer stopped before its cache synced`),
          );
          if (this.run === run) this.run = undefined;
          this.writer.reset();
          this.tracker.reset();
        }
        logger.debug({ failed }, 'informer stopped');
      };
    });
    return source.pipe(
      share({
        resetOnError: true,
        resetOnComplete: true,
        // The linger ends early at shutdown, and not at all after a fatal error: share() counts
        // the errored subscribers leaving as the last one leaving, and its timer alone would keep
        // the process alive for lingerMs after everything ended.
        resetOnRefCountZero:
          config.lingerMs > 0
            ? () => (this.failed ? of(0) : race(timer(config.lingerMs, config.scheduler), config.shutdown))
            : true,
      }),
    );
  }

  private createItems(): Observable<readonly T[]> {
    return new Observable<readonly T[]>((subscriber) => {
      const running = this.running$.subscribe({
        error: (e) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
      let pending: Subscription | undefined;
      const emit = () => {
        pending = undefined;
        if (this.writer.isSynced) subscriber.next(this.indexedStore.list());
      };
      if (this.writer.isSynced) emit();
      // Changes are coalesced: one snapshot per scheduler turn, however many events it held.
      const live = this.live.subscribe(() => {
        pending ??= this.config.scheduler.schedule(emit, 0);
      });
      return () => {
        live.unsubscribe();
        pending?.unsubscribe();
        running.unsubscribe();
      };
    });
  }

  private createSynced(): Observable<boolean> {
    return new Observable<boolean>((subscriber) => {
      const running = this.running$.subscribe({
        error: (e) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
      let last: boolean | undefined;
      const health = this.tracker.changes.subscribe((h) => {
        if (h.synced !== last) subscriber.next((last = h.synced));
      });
      return () => {
        health.unsubscribe();
        running.unsubscribe();
      };
    });
  }
}

/** A promise settled from outside, once; unread rejections are not reported as unhandled. */
interface SyncedPromise {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function syncedPromise(): SyncedPromise {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

function settledPromise(error: Error): SyncedPromise {
  const synced = syncedPromise();
  synced.reject(error);
  return synced;
}
