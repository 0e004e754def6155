import { customResourcesContract } from './custom-resources.contract.js';
import { discoveryContract } from './discovery.contract.js';
import { listContract } from './list.contract.js';
import { objectsContract } from './objects.contract.js';
import type { ContractTarget } from './target.js';
import { watchContract } from './watch.contract.js';

export { requester, type ContractTarget } from './target.js';

/**
 * Registers the whole contract suite against a target created in the caller's `beforeAll`
 * (hence a getter). The same suite runs on the simulator and on the real kube-apiserver.
 */
export function registerContractSuite(target: () => ContractTarget): void {
  listContract(target);
  watchContract(target);
  objectsContract(target);
  discoveryContract(target);
  customResourcesContract(target);
}
