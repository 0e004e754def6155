import { ConfigMaps, Deployments, Nodes, Pods } from '@rxinformer/core';
import type { ChurnRun, KubeApiServer } from '@rxinformer/testing';

/**
 * The workload an app's embedded simulator runs: how many pods (realistic, from
 * `@rxinformer/testing`'s `populate`), how fast they churn, and app-specific extras.
 *
 * @example
 * ```ts
 * declare function addBrokenPods(server: KubeApiServer): void; // an app's own extras
 * const workload: SimulatorWorkload = { pods: 500, churnPerSecond: 20, extras: (server) => addBrokenPods(server) };
 * ```
 */
export interface SimulatorWorkload {
  /** Pods created at start (default 200). */
  readonly pods?: number;
  /** Pod updates, creations and deletions per second (8:1:1; default 10; 0 turns churn off). */
  readonly churnPerSecond?: number;
  /** Namespaces `sim-00`… the pods spread over (default 4). */
  readonly namespaces?: number;
  /** Also create deployments, configmaps and nodes that match the pods (default true). */
  readonly companions?: boolean;
  /** Runs after the workload is created, before churn starts. */
  readonly extras?: (server: KubeApiServer) => void | Promise<void>;
  /** Seed of every random choice (default 1). */
  readonly seed?: number;
}

/**
 * A running simulator: the server, and `close()` that stops the churn and the server.
 *
 * @example
 * ```ts
 * const sim = await startSimulator({ pods: 100 });
 * const kc = sim.server.kubeConfig;
 * await sim.close();
 * ```
 */
export interface Simulator {
  readonly server: KubeApiServer;
  close(): Promise<void>;
}

const NODES = 50;
const APPS_PER_NAMESPACE = 4;

/**
 * Starts `@rxinformer/testing`'s in-process API server on 127.0.0.1 with a workload: pods that
 * churn, and (unless `companions: false`) the deployments, configmaps and nodes they would
 * belong to, so every table of a sample app has something in it.
 *
 * @example
 * ```ts
 * const sim = await startSimulator({ pods: 2000, churnPerSecond: 100 });
 * const informers = createInformerFactory({ kubeConfig: sim.server.kubeConfig });
 * ```
 */
export async function startSimulator(workload: SimulatorWorkload = {}): Promise<Simulator> {
  // Loaded on first use: a run against a real cluster never needs it.
  const { churn, createKubeApiServer, populate } = await import('@rxinformer/testing');
  const seed = workload.seed ?? 1;
  const namespaces = Array.from(
    { length: workload.namespaces ?? 4 },
    (_, i) => `sim-${String(i).padStart(2, '0')}`,
  );
  const server = await createKubeApiServer({ seed, bookmarkIntervalMs: 15_000 });
  let run: ChurnRun | undefined;
  try {
    await populate(server, { resource: Pods, count: workload.pods ?? 200, namespaces, seed, bytes: 3000 });
    if (workload.companions ?? true) createCompanions(server, namespaces);
    await workload.extras?.(server);
    const rate = workload.churnPerSecond ?? 10;
    if (rate > 0) run = churn(server, { resource: Pods, ratePerSecond: rate, namespaces, seed });
  } catch (error) {
    await server.close();
    throw error;
  }
  return {
    server,
    async close() {
      await run?.stop();
      await server.close();
    },
  };
}

function createCompanions(server: KubeApiServer, namespaces: readonly string[]): void {
  for (let n = 0; n < NODES; n++) {
    server.create(Nodes, {
      metadata: {
        name: `node-${n}`,
        labels: { 'kubernetes.io/hostname': `node-${n}`, 'node-role.kubernetes.io/worker': '' },
      },
      spec: { podCIDR: `10.244.${n}.0/24` },
      status: {
        capacity: { cpu: '8', memory: '32Gi', pods: '110' },
        allocatable: { cpu: '7800m', memory: '30Gi', pods: '110' },
        conditions: [
          {
            type: 'Ready',
            status: n % 25 === 24 ? 'False' : 'True',
            reason: n % 25 === 24 ? 'KubeletNotReady' : 'KubeletReady',
          },
        ],
        nodeInfo: {
          architecture: 'amd64',
          bootID: `boot-${n}`,
          containerRuntimeVersion: 'containerd://2.1.4',
          kernelVersion: '6.12.0',
          kubeProxyVersion: 'v1.34.1',
          kubeletVersion: 'v1.34.1',
          machineID: `machine-${n}`,
          operatingSystem: 'linux',
          osImage: 'Debian GNU/Linux 13 (trixie)',
          systemUUID: `uuid-${n}`,
        },
        addresses: [{ type: 'InternalIP', address: `10.0.${n}.1` }],
      },
    });
  }
  namespaces.forEach((namespace, ns) => {
    for (let a = 0; a < APPS_PER_NAMESPACE; a++) {
      const app = `app-${(ns * APPS_PER_NAMESPACE + a) % 16}`;
      const replicas = 1 + ((ns + a) % 4);
      const ready = a === 3 ? replicas - 1 : replicas;
      server.create(Deployments, {
        metadata: { name: app, namespace, labels: { app } },
        spec: {
          replicas,
          selector: { matchLabels: { app } },
          template: {
            metadata: { labels: { app } },
            spec: { containers: [{ name: app, image: 'nginx:1.27.2' }] },
          },
        },
        status: {
          observedGeneration: 1,
          replicas,
          readyReplicas: ready,
          availableReplicas: ready,
          updatedReplicas: replicas,
        },
      });
      server.create(ConfigMaps, {
        metadata: { name: `${app}-config`, namespace, labels: { app } },
        data: { 'app.properties': `name=${app}\nreplicas=${replicas}\n`, LOG_LEVEL: 'info' },
      });
    }
  });
}
