import { CoreV1Api, KubeConfig, makeInformer, type V1Pod } from '@kubernetes/client-node';
import type { Adapter, AdapterHandle } from './adapter.js';

/** @kubernetes/client-node 1.4: `makeInformer` as its README shows it, one handler per subscriber. */
export const clientNode: Adapter = (options): AdapterHandle => {
  const kc = new KubeConfig();
  kc.loadFromFile(options.kubeconfig);
  const api = kc.makeApiClient(CoreV1Api);
  const informer = makeInformer<V1Pod>(kc, '/api/v1/pods', () => api.listPodForAllNamespaces());
  for (const subscriber of options.subscribers) {
    informer.on('add', (pod) => subscriber.added(pod));
    informer.on('update', (pod) => subscriber.modified(pod));
    informer.on('delete', (pod) => subscriber.deleted(pod));
  }
  let failed: (e: unknown) => void = () => undefined;
  const error = new Promise<never>((_, reject) => (failed = reject));
  informer.on('error', (e) => failed(e));
  return {
    synced: Promise.race([informer.start(), error]),
    size: () => informer.list().length,
    stop: () => informer.stop(),
  };
};
