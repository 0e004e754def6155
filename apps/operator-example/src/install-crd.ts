import { ApiextensionsV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { websiteCrd } from './website.js';

/**
 * Creates the Website CRD if the cluster lacks it, then waits until Websites are served.
 *
 * @example
 * ```ts
 * await installWebsiteCrd(kc);
 * ```
 */
export async function installWebsiteCrd(kubeConfig: KubeConfig, timeoutMs = 30_000): Promise<void> {
  const apiextensions = kubeConfig.makeApiClient(ApiextensionsV1Api);
  try {
    await apiextensions.readCustomResourceDefinition({ name: websiteCrd.metadata.name });
  } catch (error) {
    if ((error as { code?: number }).code !== 404) throw error;
    await apiextensions.createCustomResourceDefinition({ body: websiteCrd });
  }
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await custom.listClusterCustomObject({
        group: 'example.com',
        version: 'v1',
        plural: 'websites',
        limit: 1,
      });
      return;
    } catch (error) {
      if ((error as { code?: number }).code !== 404 || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200)); // the API server starts serving a new CRD within a second
    }
  }
}
