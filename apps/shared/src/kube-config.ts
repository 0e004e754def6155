import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeConfigError } from '@rxinformer/core';
import type { FlagSpecs } from './flags.js';

/**
 * The flags that choose a cluster; without any of them (and without `KUBECONFIG`) an app runs
 * on the embedded simulator.
 *
 * @example
 * ```ts
 * const flags = { ...clusterFlags, port: { type: 'string', description: 'port' } } as const;
 * ```
 */
export const clusterFlags = {
  kubeconfig: {
    type: 'string',
    value: 'FILE',
    description:
      'kubeconfig of the cluster to watch (default: $KUBECONFIG, or the embedded simulator when neither this, --context nor $KUBECONFIG is set)',
  },
  context: {
    type: 'string',
    value: 'NAME',
    description: 'kubeconfig context to use (default: its current-context)',
  },
} as const satisfies FlagSpecs;

/**
 * Where the cluster comes from: a kubeconfig file and context; both optional.
 *
 * @example
 * ```ts
 * const choice: ClusterChoice = { kubeconfig: '~/.kube/config', context: 'kind-dev' };
 * ```
 */
export interface ClusterChoice {
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
}

/**
 * Whether a cluster was asked for: `--kubeconfig`, `--context` or a non-empty `KUBECONFIG`.
 *
 * @example
 * ```ts
 * declare const values: FlagValues<typeof clusterFlags>;
 * if (!wantsCluster(values)) console.log('running on the embedded simulator');
 * ```
 */
export function wantsCluster(choice: ClusterChoice, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(choice.kubeconfig || choice.context || env['KUBECONFIG']);
}

/**
 * Loads a kubeconfig as kubectl would (`--kubeconfig`, else `KUBECONFIG`, else `~/.kube/config`),
 * switches to `--context`, and checks that the context names a cluster with a server. Throws
 * {@link KubeConfigError} with a message that says what to do.
 *
 * @example
 * ```ts
 * declare const values: FlagValues<typeof clusterFlags>;
 * const kc = loadKubeConfig({ kubeconfig: values.kubeconfig, context: values.context });
 * ```
 */
export function loadKubeConfig(choice: ClusterChoice): KubeConfig {
  const kc = new KubeConfig();
  const file = choice.kubeconfig;
  try {
    if (file) {
      if (!existsSync(file))
        throw new KubeConfigError(`kubeconfig file "${file}" does not exist: check the --kubeconfig path`);
      kc.loadFromFile(file);
    } else {
      kc.loadFromDefault();
    }
  } catch (error) {
    if (error instanceof KubeConfigError) throw error;
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new KubeConfigError(
      `cannot read kubeconfig ${file ? `"${file}"` : '(KUBECONFIG or ~/.kube/config)'}: ${reason}`,
      error,
    );
  }
  const names = kc.getContexts().map((c) => c.name);
  const available = names.length === 0 ? 'it defines no contexts' : `available: ${names.join(', ')}`;
  const where = file ? `kubeconfig "${file}"` : 'the kubeconfig';
  if (choice.context) {
    if (!names.includes(choice.context))
      throw new KubeConfigError(
        `context "${choice.context}" is not in ${where} (${available}): pass one of those to --context`,
      );
    kc.setCurrentContext(choice.context);
  }
  const current = kc.getCurrentContext();
  if (!current)
    throw new KubeConfigError(
      `${where} has no current context (${available}): pass --context NAME, or run "kubectl config use-context NAME"`,
    );
  if (!names.includes(current))
    throw new KubeConfigError(
      `the current context "${current}" is not defined in ${where} (${available}): pass --context NAME`,
    );
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server)
    throw new KubeConfigError(
      `context "${current}" of ${where} names no cluster with a server URL: fix the kubeconfig or pass another --context`,
    );
  return kc;
}
