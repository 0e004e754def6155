import type { KubeConfig } from '@kubernetes/client-node';
import { KubeConfigError } from '../errors.js';

/** The API server a kubeconfig's current context points at. */
export interface KubeConfigTarget {
  /** The cluster's server URL (http or https). */
  readonly server: URL;
  /** The cluster has a `proxy-url`: client-node supplies the agent, so we must not pool our own. */
  readonly proxied: boolean;
}

/**
 * Checks that the kubeconfig's current context names a defined cluster (with an http(s) server
 * URL) and, if it names one, a defined user. Throws {@link KubeConfigError} naming what is
 * missing, so a broken kubeconfig fails at construction rather than at the first request.
 */
export function kubeConfigTarget(kubeConfig: KubeConfig): KubeConfigTarget {
  const contextName = kubeConfig.getCurrentContext();
  if (!contextName)
    throw new KubeConfigError('the kubeconfig has no current context: set current-context or pass a context');
  const context = kubeConfig.getContextObject(contextName);
  if (!context) throw new KubeConfigError(`the kubeconfig's current context "${contextName}" is not defined`);
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster)
    throw new KubeConfigError(
      `context "${contextName}" names cluster "${context.cluster}", which the kubeconfig does not define`,
    );
  if (context.user && !kubeConfig.getCurrentUser()) {
    throw new KubeConfigError(
      `context "${contextName}" names user "${context.user}", which the kubeconfig does not define`,
    );
  }
  if (!cluster.server) throw new KubeConfigError(`cluster "${cluster.name}" has no server URL`);
  let server: URL;
  try {
    server = new URL(cluster.server);
  } catch (cause) {
    throw new KubeConfigError(`cluster "${cluster.name}" has an invalid server URL`, cause);
  }
  if (server.protocol !== 'https:' && server.protocol !== 'http:')
    throw new KubeConfigError(`cluster "${cluster.name}" server must be http(s), not ${server.protocol}`);
  return { server, proxied: Boolean(cluster.proxyUrl) };
}
