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
import { KubeTransport, type TransportOptions } from './transport/kube-transport.js';

/**
 * Options of an informer factory.
 *
 * @example
 * ```ts
 * createInformerFactory({ kubeConfig: kc, resyncPeriod: 600_000, lingerMs: 10_000, logger: pino() });
 * ```
 */
export interface InformerFactoryOptions {
  kubeConfig: KubeConfig;
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
  transport?: TransportOptions;
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
export interface InformerFactory {
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
  /** The HTTP transport the informers share. */
  readonly transport: KubeTransport;
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
 * Creates an {@link InformerFactory}. Throws {@link KubeConfigError} if the kubeconfig has no
 * usable current context.
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
export function createInformerFactory(options: InformerFactoryOptions): InformerFactory {
  const transport = new KubeTransport(options.kubeConfig, options.transport);
  const client = new KubeClient(transport, { scheduler: options.scheduler });
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
          listerWatcher: transport.listerWatcher(resource, scope),
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
      return discoverResource<T>(transport, reference);
    },
    shutdown() {
      if (closed) return;
      closed = true;
      shutdown$.next();
      shutdown$.complete();
      transport.destroy();
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
