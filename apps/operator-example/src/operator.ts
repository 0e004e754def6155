import { hostname } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import {
  ConfigMaps,
  Deployments,
  createInformerFactory,
  type InformerFactory,
  type Logger,
} from '@rxinformer/core';
import { LeaderElector, controller, type Controller, type LeaseTimings } from '@rxinformer/controller';
import { websiteReconciler } from './reconcile-website.js';
import { Websites } from './website.js';

/**
 * Options of {@link startOperator}.
 *
 * @example
 * ```ts
 * const options: OperatorOptions = { kubeConfig: kc, namespace: 'default' };
 * ```
 */
export interface OperatorOptions {
  kubeConfig: KubeConfig;
  /** Namespace whose Websites are reconciled; the leader election Lease lives there too. */
  namespace: string;
  /** Leader election identity (default `<hostname>-<pid>`). */
  identity?: string;
  /** Leader election timings (default client-go's 15 s / 10 s / 2 s). */
  timings?: LeaseTimings;
  /** Called with what each reconcile changed. */
  report?: (key: string, changes: readonly string[]) => void;
  /** Called when this replica starts or stops leading. */
  onLeader?: (leading: boolean) => void;
  /** Hold a key until the caches show its last reconcile's writes (default true). */
  readYourWrites?: boolean;
  logger?: Logger;
}

/**
 * A running Website operator.
 *
 * @example
 * ```ts
 * const operator = startOperator({ kubeConfig: kc, namespace: 'default' });
 * await operator.stop();
 * ```
 */
export interface Operator {
  readonly controller: Controller;
  readonly elector: LeaderElector;
  readonly informers: InformerFactory;
  /** Stops reconciling, releases the lease, closes connections. */
  stop(): Promise<void>;
}

/**
 * Starts the Website operator: informers on Websites, ConfigMaps and Deployments of one
 * namespace, a controller that owns the ConfigMaps and Deployments, and leader election on the
 * Lease `website-operator`, so only one replica reconciles at a time.
 *
 * @example
 * ```ts
 * const operator = startOperator({ kubeConfig: kc, namespace: 'default', report: (key, changes) => console.log(key, changes) });
 * process.on('SIGTERM', () => void operator.stop());
 * ```
 */
export function startOperator(options: OperatorOptions): Operator {
  const { kubeConfig, namespace } = options;
  const informers = createInformerFactory({
    kubeConfig,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const websites = informers.informer(Websites, { namespace });
  const configMaps = informers.informer(ConfigMaps, {
    namespace,
    labelSelector: 'app.kubernetes.io/name=website',
  });
  const deployments = informers.informer(Deployments, {
    namespace,
    labelSelector: 'app.kubernetes.io/name=website',
  });
  const elector = new LeaderElector({
    client: informers.client,
    namespace,
    name: 'website-operator',
    identity: options.identity ?? `${hostname()}-${process.pid}`,
    ...options.timings,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  if (options.onLeader) elector.leader$.subscribe(options.onLeader);
  const websiteController = controller({
    name: 'website',
    for: websites,
    owns: [configMaps, deployments],
    reconcile: websiteReconciler({
      configMaps,
      deployments,
      ...(options.report ? { report: options.report } : {}),
    }),
    concurrency: 2,
    ownership: elector,
    readYourWrites: options.readYourWrites ?? true,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  websiteController.start();
  return {
    controller: websiteController,
    elector,
    informers,
    async stop() {
      await websiteController.stop();
      informers.shutdown();
    },
  };
}
