import type { KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig, wantsCluster, type ClusterChoice } from './kube-config.js';
import { startSimulator, type Simulator, type SimulatorWorkload } from './simulator.js';

/**
 * Options of {@link connect}: the cluster flags, and the workload to simulate when they name
 * no cluster.
 *
 * @example
 * ```ts
 * declare const values: FlagValues<typeof clusterFlags>;
 * const options: ConnectOptions = { kubeconfig: values.kubeconfig, context: values.context, simulator: { pods: 500 } };
 * ```
 */
export interface ConnectOptions extends ClusterChoice {
  readonly simulator?: SimulatorWorkload;
  /** Where `KUBECONFIG` is read (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * A cluster to watch: its kubeconfig, where it is, and how to let it go.
 *
 * @example
 * ```ts
 * declare const values: FlagValues<typeof clusterFlags>;
 * const { kubeConfig, server, close } = await connect(values);
 * console.log(`watching ${server}`);
 * await close();
 * ```
 */
export interface Connection {
  readonly kubeConfig: KubeConfig;
  /** The API server URL. */
  readonly server: string;
  /** The embedded simulator when no cluster was asked for, else `undefined`. */
  readonly simulator: Simulator | undefined;
  /** Stops the simulator, if there is one. Idempotent. */
  close(): Promise<void>;
}

/**
 * Connects an app to a cluster: the kubeconfig named by `--kubeconfig`/`--context`/`KUBECONFIG`
 * (checked: a current context with a server, else {@link KubeConfigError}), or, when none is
 * given, an embedded simulator with a churning workload on 127.0.0.1.
 *
 * @example
 * ```ts
 * declare const values: FlagValues<typeof clusterFlags>;
 * const connection = await connect({ kubeconfig: values.kubeconfig, context: values.context, simulator: { pods: 1000 } });
 * const informers = createInformerFactory({ kubeConfig: connection.kubeConfig });
 * ```
 */
export async function connect(options: ConnectOptions): Promise<Connection> {
  if (wantsCluster(options, options.env)) {
    const kubeConfig = loadKubeConfig(options);
    return {
      kubeConfig,
      server: kubeConfig.getCurrentCluster()?.server ?? '',
      simulator: undefined,
      close: async () => {},
    };
  }
  const simulator = await startSimulator(options.simulator);
  let closing: Promise<void> | undefined;
  return {
    kubeConfig: simulator.server.kubeConfig,
    server: simulator.server.url,
    simulator,
    close: () => (closing ??= simulator.close()),
  };
}
