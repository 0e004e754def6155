import type { KubeConfig } from '@kubernetes/client-node';
import { BuiltinResources, type KubeObject, type ResourceDescriptor } from '@rxinformer/core';
import { randomInt } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { Observable } from 'rxjs';
import { Faults, watchMatches, type FaultInjector, type WatchMatch } from '../faults/fault-injector.js';
import type { RequestMatch } from '../request/request-match.js';
import { serveCustomResourceDefinitions } from '../store/custom-resource-definitions.js';
import { serveNamespaces } from '../store/namespaces.js';
import { ObjectStore } from '../store/object-store.js';
import { loopbackCertificates } from '../tls/self-signed.js';
import { seededRandom } from '../util/random.js';
import { DirectApi } from './direct-api.js';
import { Discovery } from './discovery.js';
import { HttpsListener } from './https-listener.js';
import { kubeConfigFor, kubeconfigDocument } from './kubeconfig.js';
import type { KubeApiServerOptions } from './options.js';
import { RequestLog, type RequestLogEntry } from './request-log.js';
import { requestHandler } from './request-pipeline.js';
import type { ServerContext } from './server-context.js';
import type { Watcher } from './watcher.js';

/**
 * Options of the direct list method.
 *
 * @example
 * ```ts
 * server.list(Pods, { namespace: 'shop', labelSelector: 'app=web' });
 * ```
 */
export interface DirectListOptions {
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

/**
 * The patch flavours of the direct patch method: JSON merge patch, RFC 6902 JSON patch, and
 * strategic merge patch (applied as a merge patch).
 *
 * @example
 * ```ts
 * server.patch(Pods, 'web-1', [{ op: 'add', path: '/metadata/labels/x', value: 'y' }], { namespace: 'shop', type: 'json' });
 * ```
 */
export interface DirectPatchOptions {
  readonly namespace?: string;
  readonly type?: 'merge' | 'json' | 'strategic';
}

/**
 * A running simulated Kubernetes API server. Direct methods act on its store synchronously with
 * the REST semantics (same errors, same events to watchers) without going through HTTP.
 *
 * @example
 * ```ts
 * const server = await createKubeApiServer();
 * const core = server.kubeConfig.makeApiClient(CoreV1Api);
 * server.create(Pods, { metadata: { name: 'web-1', namespace: 'shop' }, spec: { containers: [] } });
 * await core.listNamespacedPod({ namespace: 'shop' });
 * await server.close();
 * ```
 */
/**
 * The direct, synchronous object methods the simulator and the fake cluster share: REST
 * semantics (the same errors as `KubeStatusError`, the same watch events) without a request.
 *
 * @example
 * ```ts
 * const objects: DirectObjects = server;
 * objects.create(ConfigMaps, { metadata: { name: 'web', namespace: 'shop' } });
 * objects.count(ConfigMaps, 'shop'); // 1
 * ```
 */
export interface DirectObjects {
  /** Serves another resource (a CRD's objects can also be served by creating the CRD object). */
  register(resource: ResourceDescriptor, options?: { hasStatus?: boolean }): void;
  /** The current resourceVersion (of the latest write, any resource). */
  readonly resourceVersion: string;
  create<T extends KubeObject>(resource: ResourceDescriptor<T>, object: T): T;
  get<T extends KubeObject>(resource: ResourceDescriptor<T>, name: string, namespace?: string): T;
  find<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    name: string,
    namespace?: string,
  ): T | undefined;
  list<T extends KubeObject>(resource: ResourceDescriptor<T>, options?: DirectListOptions): T[];
  /** Replaces an object (status included); 409 when `metadata.resourceVersion` is stale. */
  update<T extends KubeObject>(resource: ResourceDescriptor<T>, object: T): T;
  patch<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    name: string,
    patch: unknown,
    options?: DirectPatchOptions,
  ): T;
  /** Deletes an object and returns its final state (or the object with a deletionTimestamp while finalizers remain). */
  delete<T extends KubeObject>(resource: ResourceDescriptor<T>, name: string, namespace?: string): T;
  /** Number of objects of a resource (in a namespace). */
  count(resource: ResourceDescriptor, namespace?: string): number;
}

export interface KubeApiServer extends DirectObjects {
  /** `https://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** PEM of the CA that signed the server certificate. */
  readonly caPem: string;
  /** A client-node KubeConfig for this server (cluster with CA data, user with the token). */
  readonly kubeConfig: KubeConfig;
  /** The kubeconfig document (JSON, readable as YAML). */
  kubeconfig(): string;
  /** Writes the kubeconfig to `path` (mode 0600). */
  writeKubeconfig(path: string): Promise<void>;
  /** Every request served so far (or since `clearRequests`). */
  readonly requests: readonly RequestLogEntry[];
  clearRequests(): void;
  /** Each request as it arrives. */
  readonly requests$: Observable<RequestLogEntry>;
  /** Resolves with the next matching request to arrive (rejects after `timeoutMs`, default 10 s). */
  nextRequest(match?: RequestMatch, options?: { timeoutMs?: number }): Promise<RequestLogEntry>;
  /** Number of open watches (matching). */
  watchCount(match?: WatchMatch): number;
  /** Resolves once at least `count` matching watches are open (rejects after `timeoutMs`, default 10 s). */
  waitForWatches(count: number, match?: WatchMatch, options?: { timeoutMs?: number }): Promise<void>;
  readonly faults: FaultInjector;
  /** Closes every connection and stops listening. */
  close(): Promise<void>;
}

/** Internals other modules of this package reach (the workload generator). */
const internals = new WeakMap<KubeApiServer, { store: ObjectStore; watchers: ReadonlySet<Watcher> }>();

function internalsOf(server: KubeApiServer): { store: ObjectStore; watchers: ReadonlySet<Watcher> } {
  const found = internals.get(server);
  if (found === undefined) throw new TypeError('not a server created by createKubeApiServer');
  return found;
}

/** The store behind a server (package-internal). */
export function storeOf(server: KubeApiServer): ObjectStore {
  return internalsOf(server).store;
}

/** The open watches of a server (package-internal). */
export function watchersOf(server: KubeApiServer): ReadonlySet<Watcher> {
  return internalsOf(server).watchers;
}

/**
 * Starts an in-process HTTPS server that speaks the Kubernetes API for every built-in resource
 * of `@rxinformer/core` and any registered or CRD-defined resource, on 127.0.0.1.
 *
 * @example
 * ```ts
 * const server = await createKubeApiServer({ resources: [Websites], seed: 1 });
 * await server.writeKubeconfig('/tmp/kubeconfig'); // KUBECONFIG=/tmp/kubeconfig kubectl get pods
 * ```
 */
export async function createKubeApiServer(options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const tls = loopbackCertificates();
  const random = seededRandom(options.seed ?? randomInt(2 ** 31));
  const store = new ObjectStore({
    historySize: options.historySize ?? 10_000,
    now: options.now ?? (() => new Date()),
    random,
    autoCreateNamespaces: options.autoCreateNamespaces ?? true,
  });
  for (const resource of [...BuiltinResources, ...(options.resources ?? [])]) store.register(resource);
  serveCustomResourceDefinitions(store);
  serveNamespaces(store);
  const namespaces = store.find('', 'v1', 'namespaces');
  for (const name of options.namespaces ?? ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    if (namespaces !== undefined)
      store.create(namespaces, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      });
  }
  const token = options.token ?? 'rxinformer-sim-token';
  const version = options.version ?? { major: '1', minor: '34' };
  const watchers = new Set<Watcher>();
  const watchWaiters = new Set<() => void>();
  let port = 0;
  const stopListening = async (): Promise<void> => {
    for (const watcher of [...watchers]) watcher.destroy('server');
    await listener.close();
  };

  const faults: Faults = new Faults(
    {
      watchers: () => watchers,
      compact: () => {
        store.compact();
        return String(store.rv);
      },
      restart: async (keepPort) => {
        await stopListening();
        store.compact();
        port = await listener.listen(keepPort ? port : 0);
        kubeConfig = undefined;
      },
    },
    random,
  );
  const ctx: ServerContext = {
    store,
    random,
    faults,
    watchers,
    settings: {
      token,
      bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000,
      maxBodyBytes: options.maxBodyBytes ?? 3 * 1024 * 1024,
      slowWatcherBytes: options.slowWatcherBytes ?? 64 * 1024 * 1024,
      defaultWatchTimeoutSeconds: options.defaultWatchTimeoutSeconds ?? 1800,
      version: {
        major: version.major,
        minor: version.minor,
        gitVersion: version.gitVersion ?? `v${version.major}.${version.minor}.0`,
        gitCommit: '0000000000000000000000000000000000000000',
        gitTreeState: 'clean',
        buildDate: '2025-01-01T00:00:00Z',
        goVersion: 'go1.24.0',
        compiler: 'gc',
        platform: 'linux/amd64',
      },
    },
    watchersChanged: () => {
      for (const waiter of [...watchWaiters]) waiter();
    },
  };
  const log = new RequestLog();
  const docs = new Discovery(
    store,
    () => `127.0.0.1:${port}`,
    ctx.settings.version['gitVersion'] ?? 'v1.34.0',
  );
  const listener = new HttpsListener(tls, requestHandler(ctx, docs, log));
  port = await listener.listen(options.port ?? 0);

  let kubeConfig: KubeConfig | undefined;
  const url = (): string => `https://127.0.0.1:${port}`;
  const direct = new DirectApi(store);
  const api: KubeApiServer = {
    get url() {
      return url();
    },
    get port() {
      return port;
    },
    token,
    caPem: tls.caPem,
    get kubeConfig() {
      kubeConfig ??= kubeConfigFor({ url: url(), caPem: tls.caPem, token });
      return kubeConfig;
    },
    kubeconfig: () => kubeconfigDocument({ url: url(), caPem: tls.caPem, token }),
    writeKubeconfig: (path) =>
      writeFile(path, kubeconfigDocument({ url: url(), caPem: tls.caPem, token }), { mode: 0o600 }),
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
      return log.all;
    },
    clearRequests: () => log.clear(),
    requests$: log.requests$,
    nextRequest: (match, waitOptions) => log.next(match, waitOptions?.timeoutMs ?? 10_000),
    watchCount: (match) => [...watchers].filter((w) => watchMatches(match, w)).length,
    waitForWatches: (count, match, waitOptions) =>
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (api.watchCount(match) < count) return;
          clearTimeout(timer);
          watchWaiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          watchWaiters.delete(check);
          reject(
            new Error(
              `fewer than ${count} matching watches open within ${waitOptions?.timeoutMs ?? 10_000} ms (${api.watchCount(match)} open)`,
            ),
          );
        }, waitOptions?.timeoutMs ?? 10_000);
        watchWaiters.add(check);
        check();
      }),
    faults,
    close: async () => {
      faults.clear();
      await stopListening();
      log.complete();
    },
  };
  internals.set(api, { store, watchers });
  return api;
}
