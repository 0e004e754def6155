import { KubeConfig } from '@kubernetes/client-node';
import { startKubeApiServer, type KubeApiServer } from '@rxinformer/kube-apiserver-harness';
import { afterAll, beforeAll, describe } from 'vitest';
import {
  registerContractSuite,
  requester,
  type ContractTarget,
} from '../libs/testing/test/contract/index.js';

// The contract suite on a real kube-apiserver + etcd; libs/testing/test/contract/simulator.spec.ts
// runs the same assertions on the simulator.
let kube: KubeApiServer;
let target: ContractTarget;

beforeAll(async () => {
  kube = await startKubeApiServer();
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kube.kubeconfigPath);
  target = {
    name: 'kube-apiserver',
    kubeConfig,
    ...requester(kubeConfig),
    // Compaction alone leaves old RVs in the watch cache; a restarted cache starts at the current revision.
    expire: async () => {
      await kube.compactEtcd();
      await kube.restartApiServer();
    },
  };
}, 180_000);
afterAll(async () => {
  await kube?.stop();
});

describe('contract: kube-apiserver', () => {
  registerContractSuite(() => target);
});
