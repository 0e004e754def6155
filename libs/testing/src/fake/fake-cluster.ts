import {
  BuiltinResources,
  KubeClient,
  apiErrorFor,
  type InformerSource,
  type JsonRequest,
  type KubeBackend,
  type KubeObject,
  type KubeStatus as CoreStatus,
  type ListerWatcher,
  type ResourceDescriptor,
  type ResourceReference,
  type TransportScope,
} from '@rxinformer/core';
import { asyncScheduler, type Observable, type SchedulerLike } from 'rxjs';
import { StatusErrors } from '../api/status.js';
import {
  Faults,
  watchMatches,
  type FaultHandle,
  type FaultInjector,
  type InjectedFailure,
  type WatchMatch,
} from '../faults/fault-injector.js';
import type { RequestMatch } from '../request/request-match.js';
import { DirectApi } from '../server/direct-api.js';
import type { DirectObjects } from '../server/kube-api-server.js';
import { serveCustomResourceDefinitions } from '../store/custom-resource-definitions.js';
import { serveNamespaces } from '../store/namespaces.js';
import { ObjectStore } from '../store/object-store.js';
import { seededRandom } from '../util/random.js';
import { FakeBackend } from './fake-backend.js';
import { fakeListerWatcher } from './fake-lister-watcher.js';
import { FakePipeline } from './fake-pipeline.js';
import { isWrite, type FakeRequest } from './fake-request.js';
import type { FakeWatch } from './fake-watch.js';

/**
 * Options of {@link createFakeCluster}.
 *
 * @example
 * ```ts
 * const cluster = createFakeCluster({ scheduler, resources: [Websites], seed: 7 });
 * ```
 */
export interface FakeClusterOptions {
  /** Whose clock stamps objects and on which every answer and watch event is delivered (default `asyncScheduler`). */
  scheduler?: SchedulerLike;
  /** Descriptors served besides `BuiltinResources`. */
  resources?: readonly ResourceDescriptor[];
  /** Namespaces that exist at start (default `default`, `kube-system`, `kube-public`, `kube-node-lease`). */
  namespaces?: readonly string[];
  /** Create a missing namespace on first use (default true; the real server answers 404). */
  autoCreateNamespaces?: boolean;
  /** Events kept per resource; a watch or continue token from before them gets 410 (default 10 000). */
  historySize?: number;
  /** Seeds uids and generated names (default 1: the same uids on every run). */
  seed?: number;
}

/**
 * An in-memory Kubernetes API for tests in virtual time, like client-go's fake clientset and
 * `FakeControllerSource`: the simulator's store and write semantics (global integer
 * resourceVersion, uid, creationTimestamp from the scheduler's clock, generation on spec
 * changes, 409 on a stale resourceVersion, AlreadyExists, finalizers, merge/JSON/strategic
 * patches, server-side apply as a merge, `/status`), served without HTTP to core's
 * `ListerWatcher` and `KubeClient`. Every answer and every watch event is an action on the
 * scheduler, so a `TestScheduler` or {@link advance} decides when they arrive. Failures are
 * core's typed errors carrying the Status. As an {@link InformerSource} it plugs into
 * `createInformerFactory({ source: cluster, scheduler })`.
 *
 * @example
 * ```ts
 * const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
 * const cluster = createFakeCluster({ scheduler });
 * const informers = createInformerFactory({ source: cluster, scheduler });
 * const configMaps = informers.informer(ConfigMaps, { namespace: 'shop' });
 * configMaps.events$.subscribe((e) => console.log(e.type));
 * cluster.create(ConfigMaps, { metadata: { name: 'web', namespace: 'shop' }, data: { a: '1' } });
 * await advance(scheduler, 1_000); // ADDED, SYNCED
 * cluster.expireWatches(); // the next watch answers 410: the informer relists
 * ```
 */
export interface FakeCluster extends InformerSource, KubeBackend, DirectObjects {
  readonly scheduler: SchedulerLike;
  /** A `KubeClient` on this cluster: writes change the store and reach its watches. */
  readonly client: KubeClient;
  /** LIST and WATCH of one resource and scope, in virtual time. */
  listerWatcher<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    scope?: TransportScope,
  ): ListerWatcher<T>;
  /** Answers one client request (what `client` sends through). */
  requestJson<R>(request: JsonRequest): Observable<R>;
  /** Finds a served resource (built-in, registered, or defined by a CRD object) by apiVersion and kind. */
  discover<T extends KubeObject = KubeObject>(reference: ResourceReference): Promise<ResourceDescriptor<T>>;
  /** Every request answered or open so far (or since `clearRequests`), in arrival order. */
  readonly requests: readonly FakeRequest[];
  /** The requests that wrote (create, update, patch, delete), accepted or refused. */
  readonly writes: readonly FakeRequest[];
  clearRequests(): void;
  /** The simulator's fault injector: failures, latency (in virtual time), watch faults, compaction. */
  readonly faults: FaultInjector;
  /** Fails the next `count` matching requests (lists, watches, gets, writes) with `failure`. */
  failNext(count: number, failure: InjectedFailure, match?: RequestMatch): FaultHandle;
  /** Breaks every open (matching) watch, as a dropped connection; returns how many. */
  dropWatches(match?: WatchMatch): number;
  /**
   * Forgets the event history and ends every open (matching) watch with a 410 Expired ERROR
   * event: informers relist, as after etcd compaction. Returns how many watches it ended.
   */
  expireWatches(match?: WatchMatch): number;
  /** Sends a BOOKMARK at the current resourceVersion on every open (matching) watch that allows them. */
  bookmark(match?: WatchMatch): number;
  /** Number of open (matching) watches. */
  watchCount(match?: WatchMatch): number;
}

const DEFAULT_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/**
 * Creates a {@link FakeCluster}: every built-in resource of `@rxinformer/core` plus
 * `options.resources`, the usual namespaces, and nothing else.
 *
 * @example
 * ```ts
 * const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
 * const cluster = createFakeCluster({ scheduler });
 * const cm = cluster.client.resource(ConfigMaps, { namespace: 'shop' }).create({ metadata: { name: 'web' } });
 * await advance(scheduler, 0);
 * expect(cluster.writes.map((w) => w.verb)).toEqual(['create']);
 * ```
 */
export function createFakeCluster(options: FakeClusterOptions = {}): FakeCluster {
  const scheduler = options.scheduler ?? asyncScheduler;
  const random = seededRandom(options.seed ?? 1);
  const store = new ObjectStore({
    historySize: options.historySize ?? 10_000,
    now: () => new Date(scheduler.now()),
    random,
    autoCreateNamespaces: options.autoCreateNamespaces ?? true,
  });
  for (const resource of [...BuiltinResources, ...(options.resources ?? [])]) store.register(resource);
  serveCustomResourceDefinitions(store);
  serveNamespaces(store);
  const namespaces = store.resolve({ group: '', version: 'v1', plural: 'namespaces' } as ResourceDescriptor);
  for (const name of options.namespaces ?? DEFAULT_NAMESPACES)
    store.create(namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

  const watches = new Set<FakeWatch>();
  const matching = (match: WatchMatch | undefined) => [...watches].filter((w) => watchMatches(match, w));
  const faults = new Faults(
    {
      watchers: () => watches,
      compact: () => {
        store.compact();
        return String(store.rv);
      },
      restart: () => {
        for (const watch of [...watches]) watch.destroy();
        store.compact();
        return Promise.resolve();
      },
    },
    random,
  );
  const pipeline = new FakePipeline(scheduler, faults);
  const backend = new FakeBackend(store, pipeline);
  const client = new KubeClient(backend, { scheduler });
  const direct = new DirectApi(store);
  const host = { store, scheduler, pipeline, faults, watches };

  return {
    scheduler,
    client,
    listerWatcher: (resource, scope = {}) => fakeListerWatcher(host, resource, scope),
    requestJson: (request) => backend.requestJson(request),
    discover<T extends KubeObject = KubeObject>(reference: ResourceReference) {
      const served = store
        .resources()
        .find(
          (r) => r.descriptor.apiVersion === reference.apiVersion && r.descriptor.kind === reference.kind,
        );
      if (served !== undefined) return Promise.resolve(served.descriptor as ResourceDescriptor<T>);
      const { status } = StatusErrors.resourceNotFound();
      return Promise.reject(
        apiErrorFor(status as unknown as CoreStatus, {
          verb: 'discover',
          resource: `${reference.kind} (${reference.apiVersion})`,
        }),
      );
    },
    register: (resource, registerOptions = {}) => void store.register(resource, registerOptions),
    get resourceVersion() {
      return String(store.rv);
    },
    create: (resource, object) => direct.create(resource, object),
    get: (resource, name, namespace) => direct.get(resource, name, namespace),
    find: (resource, name, namespace) => direct.find(resource, name, namespace),
    list: (resource, listOptions) => direct.list(resource, listOptions),
    update: (resource, object) => direct.update(resource, object),
    patch: (resource, name, patch, patchOptions) => direct.patch(resource, name, patch, patchOptions),
    delete: (resource, name, namespace) => direct.delete(resource, name, namespace),
    count: (resource, namespace) => direct.count(resource, namespace),
    get requests() {
      return pipeline.requests;
    },
    get writes() {
      return pipeline.requests.filter(isWrite);
    },
    clearRequests: () => void pipeline.requests.splice(0),
    faults,
    failNext: (count, failure, match) => faults.failNext(count, failure, match),
    dropWatches: (match) => faults.dropWatches(match),
    expireWatches(match) {
      store.compact();
      const ended = matching(match);
      const gone = StatusErrors.gone(`too old resource version: compacted (${store.rv})`).status;
      for (const watch of ended) watch.fail(gone);
      return ended.length;
    },
    bookmark(match) {
      const open = matching(match).filter((w) => w.spec.bookmarks);
      for (const watch of open) watch.bookmark(store.rv);
      return open.length;
    },
    watchCount: (match) => matching(match).length,
  };
}
