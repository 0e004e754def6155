import * as http from 'node:http';
import * as https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import {
  ConnectionError,
  apiErrorFor,
  type KubeStatus,
  type RequestContext,
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
 * The Lease operations leader election and sharding need, as a tiny JSON client over
 * `node:https` with the kubeconfig's credentials and TLS settings. Failures are the core's
 * typed errors: {@link KubeApiError} (with `code` 404, 409 …) or {@link ConnectionError}.
 *
 * @example
 * ```ts
 * const leases = new LeaseClient(kc, 'default');
 * const lease = await leases.get('my-controller'); // undefined if absent
 * ```
 */
export class LeaseClient {
  private readonly server: URL;

  constructor(
    private readonly kubeConfig: KubeConfig,
    readonly namespace: string,
    private readonly timeoutMs = 10_000,
  ) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster?.server) throw new TypeError('the kubeconfig has no current cluster with a server URL');
    this.server = new URL(cluster.server);
  }

  /** The Lease `name`, or `undefined` if it does not exist. */
  async get(name: string): Promise<Lease | undefined> {
    try {
      return await this.request<Lease>('GET', `/${encodeURIComponent(name)}`, 'get');
    } catch (e) {
      if ((e as { code?: unknown }).code === 404) return undefined;
      throw e;
    }
  }

  /** Lists the Leases matching a label selector (a consistent read). */
  async list(labelSelector: string): Promise<Lease[]> {
    const list = await this.request<{ items: Lease[] }>(
      'GET',
      `?labelSelector=${encodeURIComponent(labelSelector)}`,
      'list',
    );
    return list.items;
  }

  /** Creates a Lease; fails with code 409 if it exists. */
  create(lease: Lease): Promise<Lease> {
    return this.request<Lease>('POST', '', 'create', {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      ...lease,
    });
  }

  /** Replaces a Lease; fails with code 409 if its `resourceVersion` is stale. */
  update(lease: Lease): Promise<Lease> {
    return this.request<Lease>('PUT', `/${encodeURIComponent(lease.metadata.name)}`, 'update', {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      ...lease,
    });
  }

  /** Deletes a Lease if its resourceVersion still matches; absent is fine. */
  async delete(name: string, resourceVersion?: string): Promise<void> {
    const body = resourceVersion
      ? { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { resourceVersion } }
      : undefined;
    try {
      await this.request('DELETE', `/${encodeURIComponent(name)}`, 'delete', body);
    } catch (e) {
      if ((e as { code?: unknown }).code !== 404) throw e;
    }
  }

  private async request<R>(method: string, suffix: string, verb: Verb, body?: unknown): Promise<R> {
    const context: RequestContext = {
      verb,
      resource: 'leases.coordination.k8s.io',
      namespace: this.namespace,
    };
    const base = this.server.pathname.replace(/\/$/, '');
    const path = `${base}/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.namespace)}/leases${suffix}`;
    const options: https.RequestOptions = {
      method,
      hostname: this.server.hostname,
      port: this.server.port,
      path,
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      timeout: this.timeoutMs,
    };
    await this.kubeConfig.applyToHTTPSOptions(options);
    const secure = this.server.protocol === 'https:';
    return new Promise<R>((resolve, reject) => {
      const req = (secure ? https : http).request(options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => reject(new ConnectionError(e.message, 'ECONNRESET', context, { cause: e })));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : {};
          } catch {
            parsed = { kind: 'Status', code: res.statusCode, message: text.slice(0, 200) };
          }
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 300) resolve(parsed as R);
          else reject(apiErrorFor({ code, ...(parsed as KubeStatus) }, context));
        });
      });
      req.on('timeout', () =>
        req.destroy(new ConnectionError(`no answer in ${this.timeoutMs} ms`, 'TIMEOUT', context)),
      );
      req.on('error', (e) =>
        reject(
          e instanceof ConnectionError
            ? e
            : new ConnectionError(e.message, (e as NodeJS.ErrnoException).code ?? 'ECONNRESET', context, {
                cause: e,
              }),
        ),
      );
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }
}
