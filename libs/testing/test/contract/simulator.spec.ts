import { afterAll, beforeAll, describe } from 'vitest';
import { createKubeApiServer, type KubeApiServer } from '../../src/index.js';
import { registerContractSuite, requester, type ContractTarget } from './index.js';

// The contract suite on the simulator; e2e/contract.e2e.ts runs the same on kube-apiserver.
let server: KubeApiServer;
let target: ContractTarget;

beforeAll(async () => {
  server = await createKubeApiServer({ autoCreateNamespaces: false, bookmarkIntervalMs: 500 });
  target = {
    name: 'simulator',
    kubeConfig: server.kubeConfig,
    ...requester(server.kubeConfig),
    expire: async () => {
      server.faults.compactHistory();
    },
  };
});
afterAll(async () => {
  await server?.close();
});

describe('contract: simulator', () => {
  registerContractSuite(() => target);
});
