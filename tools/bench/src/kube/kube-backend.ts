import { startKubeApiServer, type KubeApiServer } from '@rxinformer/kube-apiserver-harness';
import { Agent, request } from 'node:https';
import { PodCorpus } from '../server/pod-corpus.js';
import { SENT_ANNOTATION } from '../subjects/protocol.js';

/** Requests in flight when the bench creates, patches or deletes pods. */
export const KUBE_CONCURRENCY = 16;

/** The node every bench pod is bound to (no kubelet runs: pods stay Pending). */
const NODE_NAME = 'bench-node';

interface Response {
  readonly status: number;
  readonly body: string;
}

/** Runs `fn(0 … total-1)` with at most `concurrency` calls pending. */
export async function pool(
  total: number,
  concurrency: number,
  fn: (index: number) => Promise<void>,
  stop?: () => boolean,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < total && !stop?.()) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
}

/**
 * Pod JSON for the real API server from the corpus of the replay server (`populate`'s ~7 KB
 * pods): managedFields and the server-owned metadata removed, names made unique per namespace,
 * `spec.nodeName` set so no scheduler is waited for.
 */
export function kubePods(items: readonly Buffer[]): { namespace: string; name: string; body: string }[] {
  const seen = new Set<string>();
  return items.map((item, i) => {
    const pod = JSON.parse(item.toString('utf8')) as {
      metadata: Record<string, unknown>;
      spec?: Record<string, unknown>;
    };
    const {
      managedFields: _m,
      resourceVersion: _r,
      uid: _u,
      creationTimestamp: _c,
      generation: _g,
      selfLink: _s,
      ...metadata
    } = pod.metadata;
    const namespace = String(metadata['namespace'] ?? 'default');
    let name = String(metadata['name']);
    if (seen.has(`${namespace}/${name}`)) name = `${name}-${i}`;
    seen.add(`${namespace}/${name}`);
    const body = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      ...pod,
      metadata: { ...metadata, namespace, name },
      spec: { ...pod.spec, nodeName: NODE_NAME },
    });
    return { namespace, name, body };
  });
}

/**
 * The `--server kube` backend: a real etcd + kube-apiserver (tools/kube-apiserver's harness),
 * and a keep-alive HTTPS client that fills it with pods and drives MODIFIED events by PATCH.
 */
export class KubeBackend {
  /** Namespaces that hold bench pods. */
  private readonly namespaces = new Set<string>();
  private pods: { namespace: string; name: string }[] = [];
  private readonly agent: Agent;
  private readonly host: URL;
  /** Average JSON size of a stored pod, with and without managedFields (as rxinformer caches it). */
  jsonBytes = { full: 0, stripped: 0 };

  private constructor(readonly kube: KubeApiServer) {
    this.host = new URL(kube.server);
    this.agent = new Agent({ keepAlive: true, maxSockets: KUBE_CONCURRENCY, ca: kube.caPem });
  }

  static async start(log: (line: string) => void): Promise<KubeBackend> {
    const kube = await startKubeApiServer({ rbac: false, log: (line) => log(`  kube: ${line}`) });
    return new KubeBackend(kube);
  }

  get kubeconfigPath(): string {
    return this.kube.kubeconfigPath;
  }

  get podCount(): number {
    return this.pods.length;
  }

  /** One request as admin; rejects on a transport error, resolves with any HTTP status. */
  call(method: string, path: string, body?: string, contentType = 'application/json'): Promise<Response> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          hostname: this.host.hostname,
          port: this.host.port,
          method,
          path,
          agent: this.agent,
          headers: {
            authorization: `Bearer ${this.kube.adminToken}`,
            accept: 'application/json',
            ...(body === undefined
              ? {}
              : { 'content-type': contentType, 'content-length': Buffer.byteLength(body) }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  private async must(
    method: string,
    path: string,
    body?: string,
    contentType?: string,
    ok: readonly number[] = [200, 201],
  ): Promise<Response> {
    const res = await this.call(method, path, body, contentType);
    if (!ok.includes(res.status))
      throw new Error(`${method} ${path}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
    return res;
  }

  /**
   * Makes the cluster hold exactly `count` bench pods of about `bytes` each: deletes the ones of
   * the previous scenario, then POSTs new ones ({@link KUBE_CONCURRENCY} in flight). Resolves to
   * pods per second created.
   */
  async fill(count: number, bytes: number): Promise<number> {
    await this.clear();
    const corpus = await PodCorpus.generate(count, { bytes });
    const pods = kubePods(corpus.items);
    for (const namespace of new Set(pods.map((p) => p.namespace))) {
      if (this.namespaces.has(namespace)) continue;
      await this.must(
        'POST',
        '/api/v1/namespaces',
        JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }),
        undefined,
        [201, 409],
      );
      this.namespaces.add(namespace);
    }
    const sizes: number[] = [];
    let stripped = 0;
    const t0 = performance.now();
    await pool(pods.length, KUBE_CONCURRENCY, async (i) => {
      const pod = pods[i]!;
      const res = await this.must('POST', `/api/v1/namespaces/${pod.namespace}/pods`, pod.body);
      sizes.push(Buffer.byteLength(res.body));
      if (i < 200) {
        const object = JSON.parse(res.body) as { metadata: { managedFields?: unknown } };
        delete object.metadata.managedFields;
        stripped += Buffer.byteLength(JSON.stringify(object));
      }
    });
    const seconds = (performance.now() - t0) / 1000;
    this.pods = pods.map(({ namespace, name }) => ({ namespace, name }));
    this.jsonBytes = {
      full: Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length),
      stripped: Math.round(stripped / Math.min(200, pods.length)),
    };
    return pods.length / seconds;
  }

  /** Deletes every bench pod at once (`deletecollection`, grace period 0: no kubelet confirms). */
  async clear(): Promise<void> {
    for (const namespace of this.namespaces) {
      await this.must('DELETE', `/api/v1/namespaces/${namespace}/pods?gracePeriodSeconds=0`);
    }
    const left = JSON.parse((await this.must('GET', '/api/v1/pods?limit=1')).body) as { items: unknown[] };
    if (left.items.length) throw new Error('pods are left after deletecollection');
    this.pods = [];
  }

  /**
   * `events` merge patches of the `bench.rxinformer.dev/sent` annotation (the write time, as the
   * replay server stamps it), round-robin over the pods, {@link KUBE_CONCURRENCY} in flight, as
   * fast as kube-apiserver accepts them; `stop()` ends early. Resolves to patches per second.
   */
  async patch(events: number, stop: () => boolean): Promise<number> {
    const t0 = performance.now();
    let done = 0;
    await pool(
      events,
      KUBE_CONCURRENCY,
      async (i) => {
        const pod = this.pods[i % this.pods.length]!;
        const body = JSON.stringify({
          metadata: {
            annotations: { [SENT_ANNOTATION]: (performance.timeOrigin + performance.now()).toFixed(3) },
          },
        });
        await this.must(
          'PATCH',
          `/api/v1/namespaces/${pod.namespace}/pods/${pod.name}`,
          body,
          'application/merge-patch+json',
        );
        done++;
      },
      stop,
    );
    return done / ((performance.now() - t0) / 1000);
  }

  /** Compacts etcd so that a run's revisions do not pile up (no compactor runs: interval 0). */
  async compact(): Promise<void> {
    await this.kube.compactEtcd();
  }

  async close(): Promise<void> {
    this.agent.destroy();
    await this.kube.stop();
  }
}
