import type { KubeConfig } from '@kubernetes/client-node';
import { asyncScheduler, type Observable, type SchedulerLike } from 'rxjs';
import { ServerBusyError } from '../errors.js';
import type { KubeObject } from '../resources/kube-object.js';
import type { ResourceDescriptor } from '../resources/resource.js';
import { KubeTransport, type JsonRequest, type TransportOptions } from '../transport/kube-transport.js';
import type { ResourceClient } from './resource-client.js';
import { TypedResourceClient } from './typed-resource-client.js';
import type { Write } from './write.js';

/**
 * Options of a {@link KubeClient}.
 *
 * @example
 * ```ts
 * new KubeClient(kc, { maxRetries: 3, onWrite: (w) => console.log('wrote', w.name, w.resourceVersion) });
 * ```
 */
export interface KubeClientOptions {
  /** Told of every write the server accepted (not dry runs), after it answered. */
  onWrite?: ((write: Write) => void) | undefined;
  /** How often a request refused with 429 (or 503 with `Retry-After`) is sent again (default 5). */
  maxRetries?: number | undefined;
  /** Where the waits before those retries run (default `asyncScheduler`). */
  scheduler?: SchedulerLike | undefined;
  /** For a client made from a kubeconfig: options of its own transport. */
  transport?: TransportOptions | undefined;
}

/**
 * What a {@link KubeClient} sends its requests through: one JSON request in, the decoded answer
 * (or a typed error, such as {@link ConflictError}) out, cold, aborted on unsubscribe.
 * {@link KubeTransport} is one (HTTP to a real API server); an in-memory backend, such as
 * `@rxinformer/testing`'s fake cluster, is another: a client on it needs no server.
 *
 * @example
 * ```ts
 * const backend: KubeBackend = {
 *   requestJson: <R>(request: JsonRequest) => of({ kind: 'Status', status: 'Success', path: request.path } as R),
 * };
 * const client = new KubeClient(backend);
 * ```
 */
export interface KubeBackend {
  requestJson<R>(request: JsonRequest): Observable<R>;
}

/** The longest wait for one retry, whatever `Retry-After` says. */
const MAX_RETRY_WAIT_MS = 30_000;

/**
 * A typed client for any resource, on the core's HTTP transport: the informers' connection
 * pool, auth (tokens, client certificates, exec plugins, in-cluster), TLS checks and typed
 * errors. `resource(descriptor)` gives a {@link ResourceClient} with get, list, create, update,
 * patch (merge, JSON, strategic), server-side apply, delete, status and scale. Writes are reported
 * to its recorders; the factory's `client` and a controller's per-reconcile client use that for
 * read-your-writes. Credentials never appear in an error: errors name the verb, resource and
 * namespace, and the server's `Status`.
 *
 * @example
 * ```ts
 * const client = new KubeClient(kc);
 * const deployments = client.resource(Deployments, { namespace: 'shop' });
 * const web = await deployments.get('web');
 * await deployments.patchScale('web', { type: 'merge', patch: { spec: { replicas: 3 } } });
 * client.close();
 * ```
 */
export class KubeClient {
  /**
   * The HTTP transport requests go through; `undefined` for a client on another
   * {@link KubeBackend} (an in-memory fake), whose requests go to `backend`.
   */
  readonly transport: KubeTransport | undefined;
  /** Where requests go: the transport, or the backend the client was made on. */
  readonly backend: KubeBackend;
  private readonly owned: boolean;
  private readonly onWrite: ((write: Write) => void) | undefined;
  private readonly maxRetries: number;
  private readonly scheduler: SchedulerLike;

  /**
   * A client on `source`: a transport to share (an informer factory's), a kubeconfig for a new
   * one (closed by `close()`), or any other {@link KubeBackend} (used as it is).
   */
  constructor(source: KubeConfig | KubeTransport | KubeBackend, options: KubeClientOptions = {}) {
    if (source instanceof KubeTransport) {
      this.owned = false;
      this.transport = source;
      this.backend = source;
    } else if (isBackend(source)) {
      this.owned = false;
      this.transport = undefined;
      this.backend = source;
    } else {
      this.owned = true;
      this.transport = new KubeTransport(source, options.transport);
      this.backend = this.transport;
    }
    this.onWrite = options.onWrite;
    this.maxRetries = Math.max(0, options.maxRetries ?? 5);
    this.scheduler = options.scheduler ?? asyncScheduler;
  }

  /**
   * The client of one resource, bound to a namespace when one is given (objects and options
   * may still name it; a different one is a `TypeError`).
   *
   * @example
   * ```ts
   * const secrets = client.resource(Secrets, { namespace: 'shop' });
   * const websites = client.resource(Websites); // namespace from each object, or per call
   * ```
   */
  resource<T extends KubeObject>(
    descriptor: ResourceDescriptor<T>,
    options: { namespace?: string | undefined } = {},
  ): ResourceClient<T> {
    return new TypedResourceClient<T>(
      descriptor,
      options.namespace || undefined,
      (request, signal) => this.send(request, signal),
      (write) => this.report(write),
    );
  }

  /**
   * A client on the same transport that also tells `onWrite` of each write, after this client's
   * own recorders. How a controller learns what one reconcile wrote.
   *
   * @example
   * ```ts
   * const writes: Write[] = [];
   * const recording = client.withRecorder((w) => writes.push(w));
   * ```
   */
  withRecorder(onWrite: (write: Write) => void): KubeClient {
    return new KubeClient(this.backend, {
      maxRetries: this.maxRetries,
      scheduler: this.scheduler,
      onWrite: (write) => {
        this.report(write);
        onWrite(write);
      },
    });
  }

  /** Closes the connections of a client made from a kubeconfig; a shared transport stays open. */
  close(): void {
    if (this.owned) this.transport?.destroy();
  }

  private report(write: Write): void {
    try {
      this.onWrite?.(write);
    } catch {
      // A recorder that throws must not turn a write the server accepted into a failure.
    }
  }

  private async send<R>(request: JsonRequest, signal: AbortSignal | undefined): Promise<R> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await untilAborted<R>(this.backend, request, signal);
      } catch (e) {
        const wait = retryWait(e);
        if (wait === undefined || attempt >= this.maxRetries || signal?.aborted) throw e;
        await delay(this.scheduler, wait, signal);
      }
    }
  }
}

/** How long to wait before sending again a request the server refused without doing it. */
function retryWait(error: unknown): number | undefined {
  if (!(error instanceof ServerBusyError)) return undefined;
  if (error.code === 429) return Math.min(error.retryAfterMs ?? 1_000, MAX_RETRY_WAIT_MS);
  if (error.code === 503 && error.retryAfterMs !== undefined)
    return Math.min(error.retryAfterMs, MAX_RETRY_WAIT_MS);
  return undefined;
}

function isBackend(source: KubeConfig | KubeBackend): source is KubeBackend {
  return typeof (source as Partial<KubeBackend>).requestJson === 'function';
}

function untilAborted<R>(
  backend: KubeBackend,
  request: JsonRequest,
  signal: AbortSignal | undefined,
): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    let value: R;
    const onAbort = () => {
      subscription.unsubscribe();
      reject(signal?.reason);
    };
    const subscription = backend.requestJson<R>(request).subscribe({
      next: (v) => (value = v),
      error: (e: unknown) => {
        signal?.removeEventListener('abort', onAbort);
        reject(e);
      },
      complete: () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(value);
      },
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function delay(scheduler: SchedulerLike, ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      action.unsubscribe();
      reject(signal?.reason);
    };
    const action = scheduler.schedule(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
