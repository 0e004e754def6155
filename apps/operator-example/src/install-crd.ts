import type { KubeConfig } from '@kubernetes/client-node';
import { CustomResourceDefinitions, KubeClient, ResourceNotFoundError } from '@rxinformer/core';
import { Websites, websiteCrd } from './website.js';

/**
 * Creates the Website CRD if the cluster lacks it, then waits until Websites are served.
 *
 * @example
 * ```ts
 * await installWebsiteCrd(kc);
 * ```
 */
export async function installWebsiteCrd(kubeConfig: KubeConfig, timeoutMs = 30_000): Promise<void> {
  const client = new KubeClient(kubeConfig);
  try {
    const crds = client.resource(CustomResourceDefinitions);
    try {
      await crds.get(websiteCrd.metadata.name);
    } catch (error) {
      if (!(error instanceof ResourceNotFoundError)) throw error;
      await crds.create(websiteCrd);
    }
    const websites = client.resource(Websites);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await websites.list({ limit: 1 });
        return;
      } catch (error) {
        if (!(error instanceof ResourceNotFoundError) || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200)); // the API server starts serving a new CRD within a second
      }
    }
  } finally {
    client.close();
  }
}
