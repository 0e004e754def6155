import { Observable, Subject, share, timer, type SchedulerLike, type Subscription } from 'rxjs';
import { CacheWriter } from './cache-writer.js';
import type { InformerEvent } from './events.js';
import type { InformerHealth } from './health.js';
import { HealthTracker } from './health-tracker.js';
import { IndexedStore } from './indexed-store.js';
import type { EventsOptions, Informer, InformerScope } from './informer.js';
import type { Logger } from './logger.js';
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
}

/**
 * The informer behind {@link Informer}: one reflector, one store, and the observables over
 * them. A ref-counted "running" stream owns the reflector; every public observable holds it
 * while subscribed, so the first subscriber starts the LIST+WATCH and the last one (after the
 * linger period) stops it.
 */
export class SharedInformer<T extends KubeObject> implements Informer<T> {
  readonly resource: ResourceDescriptor<T>;
  readonly scope: Readonly<InformerScope>;
  readonly events$: Observable<InformerEvent<T>>;
  readonly items$: Observable<readonly T[]>;
  readonly synced$: Observable<boolean>;
  readonly health$: Observable<InformerHealth>;
  private readonly indexedStore: IndexedStore<T>;
  private readonly tracker: HealthTracker;
  private readonly writer: CacheWriter<T>;
  private readonly live = new Subject<InformerEvent<T>>();
  private readonly running$: Observable<never>;

  constructor(private readonly config: SharedInformerConfig<T>) {
    this.resource = config.resource;
    this.scope = Object.freeze({ ...config.scope });
    this.indexedStore = new IndexedStore(config.indexers);
    this.tracker = new HealthTracker(config.scheduler, () => this.indexedStore.size);
    this.writer = new CacheWriter(
      this.indexedStore,
      config.prepare,
      (event) => this.live.next(event),
      this.tracker,
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
    if (this.writer.isSynced) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      let done = false;
      const subscription: Subscription = this.tracker.changes.subscribe((health) => {
        if (done) return;
        if (health.synced) resolve();
        else if (health.phase === 'failed') reject(health.lastError);
        else return;
        done = true;
        queueMicrotask(() => subscription.unsubscribe());
      });
    });
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

  start(): Subscription {
    return this.running$.subscribe({ error: () => undefined });
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
      this.writer.reset();
      this.tracker.reset();
      const reflector = new Reflector<T>(
        {
          listerWatcher: config.listerWatcher,
          context,
          scheduler: config.scheduler,
          random: config.random,
          health: this.tracker,
          logger,
          sink: (event) => this.writer.apply(event),
          fatal: (error) => {
            failed = true;
            subscriber.error(error);
          },
        },
        config.reflector,
      );
      logger.debug({}, 'informer starting');
      reflector.start();
      const shutdown = config.shutdown.subscribe(() => subscriber.complete());
      return () => {
        shutdown.unsubscribe();
        reflector.stop();
        // After a fatal error the cache stays readable for diagnosis; a restart clears it.
        if (!failed) {
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
        resetOnRefCountZero: config.lingerMs > 0 ? () => timer(config.lingerMs, config.scheduler) : true,
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
