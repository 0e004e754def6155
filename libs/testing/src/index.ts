export { KubeStatusError, StatusErrors, type KubeStatus, type StatusCause } from './api/status.js';
export {
  createKubeApiServer,
  type DirectListOptions,
  type DirectObjects,
  type DirectPatchOptions,
  type KubeApiServer,
} from './server/kube-api-server.js';
export type { KubeApiServerOptions } from './server/options.js';
export type { RequestLogEntry } from './server/request-log.js';
export { kubeconfigDocument, kubeConfigFor, type KubeconfigSpec } from './server/kubeconfig.js';
export type { FaultHandle, FaultInjector, InjectedFailure, WatchMatch } from './faults/fault-injector.js';
export type { RequestInfo, Verb } from './request/request-info.js';
export type { RequestMatch } from './request/request-match.js';
export {
  createCertificates,
  loopbackCertificates,
  type CertificateOptions,
  type LoopbackCertificates,
} from './tls/self-signed.js';
export { seededRandom, type SeededRandom } from './util/random.js';
export { parseLabelSelector, type LabelSelector } from './selectors/label-selector.js';
export { applyMergePatch } from './patch/merge-patch.js';
export { applyJsonPatch, type JsonPatchOperation } from './patch/json-patch.js';
export { populate, type PopulateOptions, type PopulateStats } from './workload/populate.js';
export { churn, type ChurnOptions, type ChurnRun, type ChurnStats } from './workload/churn.js';
export { createFakeCluster, type FakeCluster, type FakeClusterOptions } from './fake/fake-cluster.js';
export type { FakeRequest } from './fake/fake-request.js';
export { advance, settle } from './fake/advance.js';
