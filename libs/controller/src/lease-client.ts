import type { KubeConfig } from '@kubernetes/client-node';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import {
  ConnectionError,
  KubeApiError,
  KubeClient,
  Leases,
  type ResourceClient,
  type ResourceDescriptor,
  type Verb,
} from '@rxinformer/core';

/**
 * A `coordination.k8s.io/v1` Lease as it travels on the wire. `renewTime` and `acquireTime`
 * are MicroTime strings (RFC 3339 with microseconds), see {@link microTime}.
 *
 * @example
 * ```ts
 * const lease: Lease = { metadata: { name: 'my-controller', namespace: 'default' }, spec: { holderIdentity: 'pod-a', leaseDurationSeconds: 15 } };
 * ```
 */
export interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    uid?: string;
  };
  spec?: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number | null;
    acquireTime?: string | null;
    renewTime?: string | null;
    leaseTransitions?: number | null;
  };
}

/**
 * Formats a time as a Kubernetes `MicroTime`: RFC 3339 in UTC with exactly six fractional
 * digits, as client-go writes `renewTime` and `acquireTime`.
 *
 * @example
 * ```ts
 * microTime(Date.UTC(2025, 0, 2, 3, 4, 5, 678)); // '2025-01-02T03:04:05.678000Z'
 * ```
 */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * The Lease operations leader election and sharding need, on the core's {@link KubeClient}: the
 * informers' transport, credentials and typed errors ({@link KubeApiError} with `code` 404,
 * 409 …, or {@link ConnectionError}). A request with no answer within `timeoutMs` fails with a
 * {@link ConnectionError} of code `TIMEOUT`.
 *
 * @example
 * ```ts
 * const leases = new LeaseClient(kc, 'default');
 * const lease = await leases.get('my-controller'); // undefined if absent
 * ```
 */
export class LeaseClient {
  private readonly client: KubeClient;
  private readonly ownsClient: boolean;
  private readonly leases: ResourceClient<Lease>;

  /** A client from a kubeconfig (with connections of its own, see `close`) or on a shared {@link KubeClient}. */
  constructor(
    source: KubeConfig | KubeClient,
    readonly namespace: string,
    private readonly timeoutMs = 10_000,
    /** Where the deadline runs (default `asyncScheduler`): a virtual-time scheduler in tests. */
    private readonly scheduler: SchedulerLike = asyncScheduler,
  ) {
    this.ownsClient = !(source instanceof KubeClient);
    this.client = source instanceof KubeClient ? source : new KubeClient(source);
    this.leases = this.client.resource(Leases as unknown as ResourceDescriptor<Lease>, { namespace });
  }

  /** The Lease `name`, or `undefined` if it does not exist. */
  async get(name: string): Promise<Lease | undefined> {
    try {
      return await this.bounded('get', (signal) => this.leases.get(name, { signal }));
    } catch (e) {
      if (e instanceof KubeApiError && e.code === 404) return undefined;
      throw e;
    }
  }

  /** Lists the Leases matching a label selector (a consistent read). */
  async list(labelSelector: string): Promise<Lease[]> {
    const page = await this.bounded('list', (signal) => this.leases.list({ labelSelector, signal }));
    return page.items;
  }

  /** Creates a Lease; fails with code 409 if it exists. */
  create(lease: Lease): Promise<Lease> {
    return this.bounded('create', (signal) => this.leases.create(lease, { signal }));
  }

  /** Replaces a Lease; fails with code 409 if its `resourceVersion` is stale. */
  update(lease: Lease): Promise<Lease> {
    return this.bounded('update', (signal) => this.leases.update(lease, { signal }));
  }

  /** Deletes a Lease if its resourceVersion still matches; absent is fine. */
  async delete(name: string, resourceVersion?: string): Promise<void> {
    try {
      await this.bounded('delete', (signal) =>
        this.leases.delete(name, {
          signal,
          ...(resourceVersion ? { preconditions: { resourceVersion } } : {}),
        }),
      );
    } catch (e) {
      if (!(e instanceof KubeApiError && e.code === 404)) throw e;
    }
  }

  /** Closes the connections of a client made from a kubeconfig; a shared client stays open. */
  close(): void {
    if (this.ownsClient) this.client.close();
  }

  /** Runs one request with the client's deadline: past it, the request is aborted as a `TIMEOUT`. */
  private async bounded<R>(verb: Verb, request: (signal: AbortSignal) => Promise<R>): Promise<R> {
    const abort = new AbortController();
    const timeout = new ConnectionError(`no answer in ${this.timeoutMs} ms`, 'TIMEOUT', {
      verb,
      resource: 'leases.coordination.k8s.io',
      namespace: this.namespace,
    });
    const timer = this.scheduler.schedule(() => abort.abort(timeout), this.timeoutMs);
    try {
      return await request(abort.signal);
    } finally {
      timer.unsubscribe();
    }
  }
}
