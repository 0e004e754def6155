import { KubeConfig } from '@kubernetes/client-node';
import { ConfigMaps, Deployments, KubeClient, Namespaces } from '@rxinformer/core';
import { installWebsiteCrd } from '../../../../apps/operator-example/src/install-crd.js';
import { Websites } from '../../../../apps/operator-example/src/website.js';

/** The spec the bench last gave a Website, which the operator must converge to. */
export interface WebsiteSpec {
  message: string;
  replicas: number;
}

/**
 * The `i`-th spec change of a churn over `count` Websites: round-robin over the Websites, each
 * change a new message and a new replica count (1, 2 or 3).
 *
 * @example
 * ```ts
 * churnChange(7, 5); // { index: 2, spec: { message: 'v2', replicas: 3 } }
 * ```
 */
export function churnChange(i: number, count: number): { index: number; spec: WebsiteSpec } {
  const round = Math.floor(i / count) + 1;
  return { index: i % count, spec: { message: `v${round}`, replicas: 1 + (round % 3) } };
}

/** A kubeconfig for a token user on `server` (an https server trusting `caPem`, or a plain-HTTP proxy). */
export function tokenKubeConfig(server: string, token: string, caPem?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: 'bench',
        server,
        // client-node refuses plain http unless told there is nothing to verify.
        skipTLSVerify: server.startsWith('http:'),
        ...(caPem ? { caData: Buffer.from(caPem).toString('base64') } : {}),
      },
    ],
    users: [{ name: 'bench', token }],
    contexts: [{ name: 'bench', cluster: 'bench', user: 'bench' }],
    currentContext: 'bench',
  });
  return kc;
}

/**
 * `count` Websites in a fresh namespace, written and checked by the bench with its own client
 * (never through the operator's connections): creates them, changes their specs at a fixed
 * rate, and tells whether the operator has converged every one of them (its ConfigMap holds
 * the last message, its Deployment the last replica count, `status.observedGeneration` equals
 * `metadata.generation`).
 *
 * @example
 * ```ts
 * const fleet = await WebsiteFleet.create(kc, 'ryw-on', 50);
 * await fleet.waitConverged(60_000);
 * await fleet.churn(250, 20);
 * ```
 */
export class WebsiteFleet {
  readonly names: readonly string[];
  private readonly specs: WebsiteSpec[];

  private constructor(
    private readonly client: KubeClient,
    readonly namespace: string,
    count: number,
  ) {
    this.names = Array.from({ length: count }, (_, i) => `site-${String(i).padStart(3, '0')}`);
    this.specs = this.names.map(() => ({ message: 'v0', replicas: 1 }));
  }

  /** Installs the Website CRD (once per cluster), creates the namespace and the Websites at spec `v0`. */
  static async create(kubeConfig: KubeConfig, namespace: string, count: number): Promise<WebsiteFleet> {
    await installWebsiteCrd(kubeConfig);
    const fleet = new WebsiteFleet(new KubeClient(kubeConfig), namespace, count);
    await fleet.client.resource(Namespaces).create({ metadata: { name: namespace } });
    const websites = fleet.client.resource(Websites, { namespace });
    await Promise.all(
      fleet.names.map((name, i) =>
        websites.create({
          apiVersion: 'example.com/v1',
          kind: 'Website',
          metadata: { name, namespace },
          spec: { ...fleet.specs[i]! },
        }),
      ),
    );
    return fleet;
  }

  /** Merge-patches one Website's spec and remembers it as the target. */
  async change(index: number, spec: WebsiteSpec): Promise<void> {
    this.specs[index] = spec;
    await this.client
      .resource(Websites, { namespace: this.namespace })
      .patch(this.names[index]!, { type: 'merge', patch: { spec } });
  }

  /**
   * `changes` spec changes ({@link churnChange}), one every `intervalMs` whatever the server's
   * latency (the writes overlap), resolving once all were accepted.
   */
  async churn(changes: number, intervalMs: number): Promise<void> {
    const t0 = performance.now();
    const pending: Promise<void>[] = [];
    for (let i = 0; i < changes; i++) {
      const wait = t0 + i * intervalMs - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const { index, spec } = churnChange(i, this.names.length);
      pending.push(this.change(index, spec));
    }
    await Promise.all(pending);
  }

  /** Names of the Websites (all, or those of `indexes`) the operator has not converged yet. */
  async unconverged(indexes?: readonly number[]): Promise<string[]> {
    const { namespace } = this;
    const instances = indexes?.map((i) => this.names[i]).join(',');
    const labelSelector = `app.kubernetes.io/name=website${instances ? `,app.kubernetes.io/instance in (${instances})` : ''}`;
    const [sites, configMaps, deployments] = await Promise.all([
      this.client.resource(Websites, { namespace }).list(),
      this.client.resource(ConfigMaps, { namespace }).list({ labelSelector }),
      this.client.resource(Deployments, { namespace }).list({ labelSelector }),
    ]);
    const cms = new Map(configMaps.items.map((cm) => [cm.metadata?.name, cm]));
    const deps = new Map(deployments.items.map((d) => [d.metadata?.name, d]));
    const byName = new Map(sites.items.map((s) => [s.metadata?.name, s]));
    return this.names.filter((name, i) => {
      if (indexes && !indexes.includes(i)) return false;
      const want = this.specs[i]!;
      const site = byName.get(name);
      return !(
        site &&
        site.spec?.message === want.message &&
        site.status?.observedGeneration === site.metadata?.generation &&
        cms.get(`${name}-content`)?.data?.['index.html'] === want.message &&
        deps.get(name)?.spec?.replicas === want.replicas
      );
    });
  }

  /**
   * Polls every 100 ms until every Website converged; resolves to the milliseconds waited.
   * `alive` runs before each poll and throws to give up early (a failed operator).
   */
  async waitConverged(timeoutMs: number, alive: () => void = () => undefined): Promise<number> {
    return this.poll(timeoutMs, 100, alive);
  }

  /** Polls the Website `index` every 20 ms until it converged; resolves to the time it did (`performance.now()`). */
  async waitOneConverged(index: number, timeoutMs: number): Promise<number> {
    await this.poll(timeoutMs, 20, () => undefined, [index]);
    return performance.now();
  }

  private async poll(
    timeoutMs: number,
    intervalMs: number,
    alive: () => void,
    indexes?: readonly number[],
  ): Promise<number> {
    const t0 = performance.now();
    for (;;) {
      alive();
      const left = await this.unconverged(indexes);
      if (left.length === 0) return performance.now() - t0;
      if (performance.now() - t0 > timeoutMs)
        throw new Error(`${left.length} Websites of ${this.namespace} did not converge in ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }

  close(): void {
    this.client.close();
  }
}
