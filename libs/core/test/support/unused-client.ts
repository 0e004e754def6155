import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '@rxinformer/core';

/** A client for informers built by hand in virtual time: pointed at a port nothing listens on, never called. */
export function unusedClient(): KubeClient {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'none', server: 'https://127.0.0.1:9' }],
    users: [{ name: 'none' }],
    contexts: [{ name: 'none', cluster: 'none', user: 'none' }],
    currentContext: 'none',
  });
  return new KubeClient(kc);
}
