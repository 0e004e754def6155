import type { KubeConfig } from '@kubernetes/client-node';
import { ReplaySubject, asyncScheduler, type SchedulerLike } from 'rxjs';
import type { Informer, InformerOptions } from './informer.js';
import { silentLogger, type Logger } from './logger.js';
import type { ReflectorOptions } from './reflector.js';
import { waitForCacheSync, type CacheSyncOptions } from './cache-sync.js';
import { KubeClient } from './client/kube-client.js';
import type { Write } from './client/write.js';
import { InformerStoppedError } from './errors.js';
import type { WaitForOptions } from './read-your-writes.js';
import { discoverResource, type ResourceReference } from './discovery/discover-resource.js';
import type { KubeObject } from './resources/kube-object.js';
import type { ResourceDescriptor } from './resources/resource.js';
import { SharedInformer } from './shared-informer.js';
import { deepFreeze, stripManagedFields, type Transform } from './transforms.js';
import { KubeTransport, type TransportOptions, type TransportScope } from './transport/kube-transport.js';
import type { ListerWatcher } from './transport/types.js';

/**
 * Where a factory's informers read and its client writes, instead of a kubeconfig: a lister-watcher
 * per resource and scope, and a client. `@rxinformer/testing`'s fake cluster is one, for tests in
 * virtual time without an API server.
 *
 * @example
 * ```ts
 * const cluster = createFakeCluster({ scheduler });
 * const informers = createInformerFactory({ source: cluster, scheduler });
 * informers.client === cluster.client; // true: writes go to the fake
 * ```
 */
export interface InformerSource {
  /** The lists and watches of one resource and scope (cold, typed errors, like the transport's). */
  listerWatcher<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    scope: TransportScope,
  ): ListerWatcher<T>;
  /** The client the factory exposes as `informers.client` and gives its informers. */
  readonly client: KubeClient;
  /** Finds a resource by apiVersion and kind (`informers.discover`); without it, discovery rejects. */
  discover?<T extends KubeObject = KubeObject>(reference: ResourceReference): Promise<ResourceDescriptor<T>>;
}

/**
 * What every informer factory can be told, whatever it reads from.
 *
 * @example
 * ```ts
 * const settings: InformerFactorySettings = { resyncPeriod: 600_000, lingerMs: 10_000 };
 * createInformerFactory({ kubeConfig: kc, ...settings });
 * ```
 */
export interface InformerFactorySettings {
  /** Default resync period of `events$` in ms (default 0: no resync). */
  resyncPeriod?: number;
  /** How long an informer keeps running after its last subscriber leaves (default 5 s). */
  lingerMs?: number;
  /** Applied to every object before it is cached, after managedFields are stripped. */
  transform?: Transform;
  /** Strip `metadata.managedFields` before caching (default true). */
  stripManagedFields?: boolean;
  /** Deep-freeze cached objects so subscribers cannot mutate shared state (default true). */
  freeze?: boolean;
  /** Where timers run: backoff, resync, linger, watchdog (default `asyncScheduler`). */
  scheduler?: SchedulerLike;
  /** Source of jitter (default `Math.random`); seed it for reproducible runs. */
  random?: () => number;
  /** Diagnostics of the core; pino-shaped (default: silent). Never receives credentials. */
  logger?: Logger;
  reflector?: ReflectorOptions;
}

/**
 * Options of an informer factory on a cluster: its kubeconfig, and the settings.
 *
 * @example
 * ```ts
 * createInformerFactory({ kubeConfig: kc, resyncPeriod: 600_000, lingerMs: 10_000, logger: pino() });
 * ```
 */
export interface InformerFactoryOptions extends InformerFactorySettings {
  kubeConfig: KubeConfig;
  /** Not with a kubeconfig: give one or the other. */
  source?: undefined;
  transport?: TransportOptions;
}

/**
 * Options of an informer factory on an {@link InformerSource} (a fake cluster) instead of a
 * kubeconfig. Its `transport` is `undefined`: there is no HTTP.
 *
 * @example
 * ```ts
 * const informers = createInformerFactory({ source: createFakeCluster({ scheduler }), scheduler });
 * ```
 */
export interface InformerSourceOptions extends InformerFactorySettings {
  source: InformerSource;
  /** Not with a source: give one or the other. */
  kubeConfig?: undefined;
}

/**
 * Shares informers: one per (resource, namespace, label selector, field selector,
 * metadata-only), however many callers ask for it.
 *
 * @example
 * ```ts
 * const informers = createInformerFactory({ kubeConfig: kc });
 * const pods = informers.informer(Pods, { namespace: 'shop' });
 * pods.events$.subscribe(console.log);
 * await informers.waitForCacheSync([pods]);
 * ```
 */
export interface InformerFactory<Transport extends KubeTransport | undefined = KubeTransport> {
  /** The shared informer for this resource and scope, created on first request. Cold. */
  informer<T extends KubeObject>(resource: ResourceDescriptor<T>, options?: InformerOptions<T>): Informer<T>;
  /**
   * Resolves when every informer has synced; rejects with the first fatal error (401, 403, 404,
   * an invalid selector), and with a {@link CacheSyncError} naming the informers not yet synced
   * and their last errors once `timeoutMs` passes (on the factory's scheduler) or `signal`
   * aborts. It holds the informers running while it waits: subscribe to them first if they
   * should keep running.
   *
   * @example
   * ```ts
   * await informers.waitForCacheSync([pods, nodes], { timeoutMs: 30_000 }).catch((e) => {
   *   console.error(e instanceof CacheSyncError ? e.message : e); // e.g. "pods (backoff, last error: … ECONNREFUSED …)"
   *   process.exit(1);
   * });
   * ```
   */
  waitForCacheSync(informers: readonly Informer<KubeObject>[], options?: CacheSyncOptions): Promise<void>;
  /**
   * Resolves once every running informer of this factory that caches the written object's
   * resource shows the write (see `informer.waitFor`: one namespace or selector that can never
   * hold it does not wait); informers that are not running are skipped, their next list shows
   * it anyway. Rejects with the first `WaitForTimeoutError` or the signal's reason.
   *
   * @example
   * ```ts
   * const cm = await informers.client.resource(ConfigMaps, { namespace: 'shop' }).create(desired);
   * await informers.waitFor(cm, { timeoutMs: 5_000 }); // every ConfigMap informer now holds it
   * ```
   */
  waitFor(write: Write | KubeObject, options?: WaitForOptions): Promise<void>;
  /** Finds a resource by apiVersion and kind through API discovery (custom resources). */
  discover<T extends KubeObject = KubeObject>(reference: ResourceReference): Promise<ResourceDescriptor<T>>;
  /** Completes every informer's observables and closes every connection. Final. */
  shutdown(): void;
  /**
   * The HTTP transport the informers share; `undefined` for a factory on an
   * {@link InformerSource} (typed `InformerFactory<undefined>`). Code that takes either kind of
   * factory can accept `InformerFactory<KubeTransport | undefined>`.
   */
  readonly transport: Transport;
  /**
   * A typed client on the informers' transport, for reads the cache cannot serve and for every
   * write. Its writes are what `informer.waitFor` and a controller's read-your-writes wait for.
   *
   * @example
   * ```ts
   * const cm = await informers.client.resource(ConfigMaps, { namespace: 'shop' }).create(desired);
   * await informers.informer(ConfigMaps, { namespace: 'shop' }).waitFor(cm);
   * ```
   */
  readonly client: KubeClient;
}

/**
 * Creates an {@link InformerFactory} on a kubeconfig, or on an {@link InformerSource} such as a
 * fake cluster (then `transport` is `undefined` and `client` is the source's). Exactly one of
 * `kubeConfig` and `source` must be given (a `TypeError` otherwise). Throws
 * {@link KubeConfigError} if the kubeconfig has no usable current context.
 *
 * @example
 * ```ts
 * const kc = new KubeConfig();
 * kc.loadFromDefault();
 * const informers = createInformerFactory({ kubeConfig: kc, resyncPeriod: 600_000 });
 * const deployments = informers.informer(Deployments, { namespace: 'shop', labelSelector: 'tier=web' });
 * deployments.items$.subscribe((items) => render(items));
 * ```
 */
export function createInformerFactory(options: InformerFactoryOptions): InformerFactory;
export function createInformerFactory(options: InformerSourceOptions): InformerFactory<undefined>;
export function createInformerFactory(
  options: InformerFactoryOptions | InformerSourceOptions,
): InformerFactory<KubeTransport | undefined>;
export function createInformerFactory(
  options: InformerFactoryOptions | InformerSourceOptions,
): InformerFactory<KubeTransport | undefined> {
  const { kubeConfig, source } = options as {
    kubeConfig?: KubeConfig | undefined;
    source?: InformerSource | undefined;
  };
  if ((kubeConfig === undefined) === (source === undefined)) {
    throw new TypeError(
      kubeConfig === undefined
        ? 'createInformerFactory: give a kubeConfig or a source (such as a fake cluster)'
        : 'createInformerFactory: give a kubeConfig or a source, not both',
    );
  }
  const transport =
    kubeConfig === undefined
      ? undefined
      : new KubeTransport(kubeConfig, (options as InformerFactoryOptions).transport);
  const client = transport
    ? new KubeClient(transport, { scheduler: options.scheduler })
    : (source as InformerSource).client;
  const listerWatcher = <T extends KubeObject>(resource: ResourceDescriptor<T>, scope: TransportScope) =>
    transport
      ? transport.listerWatcher(resource, scope)
      : (source as InformerSource).listerWatcher(resource, scope);
  const scheduler = options.scheduler ?? asyncScheduler;
  const random = options.random ?? Math.random;
  const logger = options.logger ?? silentLogger;
  const strip = options.stripManagedFields ?? true;
  const freeze = options.freeze ?? true;
  const user = options.transform;
  const prepare = (object: KubeObject): KubeObject => {
    let out = strip ? stripManagedFields(object) : object;
    if (user) out = user(out);
    return freeze ? deepFreeze(out) : out;
  };
  const shutdown$ = new ReplaySubject<void>(1);
  const informers = new Map<string, SharedInformer<KubeObject>>();
  let closed = false;

  return {
    transport,
    client,
    informer<T extends KubeObject>(
      resource: ResourceDescriptor<T>,
      informerOptions: InformerOptions<T> = {},
    ): Informer<T> {
      if (closed) throw new Error('the informer factory has been shut down');
      const { indexers, ...scope } = informerOptions;
      if (scope.namespace && !resource.namespaced) {
        throw new TypeError(`${resource.kind} is cluster-scoped: an informer for it cannot have a namespace`);
      }
      const key = [
        resource.apiVersion,
        resource.plural,
        scope.namespace ?? '',
        scope.labelSelector ?? '',
        scope.fieldSelector ?? '',
        scope.metadataOnly ? 'meta' : 'full',
      ].join('|');
      let informer = informers.get(key) as SharedInformer<T> | undefined;
      if (!informer) {
        informer = new SharedInformer<T>({
          resource,
          scope,
          indexers: indexers ?? {},
          listerWatcher: listerWatcher(resource, scope),
          scheduler,
          random,
          logger,
          resyncPeriod: options.resyncPeriod ?? 0,
          lingerMs: options.lingerMs ?? 5_000,
          prepare: prepare as unknown as (object: T) => T,
          reflector: options.reflector ?? {},
          shutdown: shutdown$,
          client,
        });
        informers.set(key, informer as unknown as SharedInformer<KubeObject>);
      } else if (indexers) {
        informer.addIndexers(indexers);
      }
      return informer;
    },
    waitForCacheSync(list, waitOptions = {}) {
      return waitForCacheSync(list, waitOptions, scheduler);
    },
    async waitFor(write, waitOptions) {
      const caching = [...informers.values()].filter(
        (i) => i.health.phase !== 'idle' && caches(i.resource, write),
      );
      await Promise.all(
        caching.map((i) =>
          i.waitFor(write, waitOptions).catch((e: unknown) => {
            if (!(e instanceof InformerStoppedError)) throw e;
          }),
        ),
      );
    },
    discover<T extends KubeObject = KubeObject>(reference: ResourceReference) {
      if (transport) return discoverResource<T>(transport, reference);
      if (source?.discover) return source.discover<T>(reference);
      return Promise.reject(new TypeError('this informer source does not support discovery'));
    },
    shutdown() {
      if (closed) return;
      closed = true;
      shutdown$.next();
      shutdown$.complete();
      transport?.destroy();
    },
  };
}

/** Whether informers of `resource` cache what `write` wrote: same group and plural, or group and kind. */
function caches(resource: ResourceDescriptor, write: Write | KubeObject): boolean {
  if ('deleted' in write && typeof write.deleted === 'boolean' && 'resource' in write)
    return write.resource.group === resource.group && write.resource.plural === resource.plural;
  const object = write as KubeObject;
  const apiVersion = object.apiVersion ?? '';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return group === resource.group && object.kind === resource.kind;
}
