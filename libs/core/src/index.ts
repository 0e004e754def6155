export { objectKey, type KubeObject, type ObjectMeta, type Wire } from './resources/kube-object.js';
export {
  defineResource,
  resourceName,
  resourcePath,
  type ResourceDescriptor,
  type ResourceSpec,
} from './resources/resource.js';
export {
  BuiltinResources,
  ConfigMaps,
  CronJobs,
  CustomResourceDefinitions,
  DaemonSets,
  Deployments,
  EndpointSlices,
  Endpoints,
  Events,
  Jobs,
  Leases,
  Namespaces,
  Nodes,
  PersistentVolumeClaims,
  PersistentVolumes,
  Pods,
  ReplicaSets,
  Secrets,
  ServiceAccounts,
  Services,
  StatefulSets,
} from './resources/builtins.js';
export { discoverResource, type ResourceReference } from './discovery/discover-resource.js';
export {
  hasObject,
  type AddedEvent,
  type DeletedEvent,
  type InformerEvent,
  type ModifiedEvent,
  type ObjectEvent,
  type ResyncEvent,
  type SyncedEvent,
} from './events.js';
export { idleHealth, type InformerHealth, type InformerPhase } from './health.js';
export { silentLogger, type LogFn, type Logger } from './logger.js';
export {
  ConflictError,
  ConnectionError,
  DecodeError,
  ExpiredError,
  ForbiddenError,
  InformerStoppedError,
  InvalidRequestError,
  KubeApiError,
  KubeConfigError,
  ResourceNotFoundError,
  RxInformerError,
  ServerBusyError,
  UnauthorizedError,
  UserCodeError,
  apiErrorFor,
  type KubeStatus,
  type RequestContext,
  type UserCodeSite,
  type Verb,
} from './errors.js';
export {
  keyOfValue,
  userCodeReporter,
  type UserCodeErrorHandler,
  type UserCodeReporter,
} from './user-code.js';
export type { IndexFunc, Indexers, Store } from './store.js';
export type { EventsOptions, Informer, InformerOptions, InformerRun, InformerScope } from './informer.js';
export { Backoff, type BackoffOptions } from './backoff.js';
export type { ReflectorOptions } from './reflector.js';
export {
  deepFreeze,
  internStrings,
  stripManagedFields,
  type InternStringsOptions,
  type Transform,
} from './transforms.js';
export {
  KubeTransport,
  type JsonRequest,
  type TransportOptions,
  type TransportScope,
} from './transport/kube-transport.js';
export type { ListPage, ListParams, ListerWatcher, WatchEvent, WatchParams } from './transport/types.js';
export {
  createInformerFactory,
  type InformerFactory,
  type InformerFactoryOptions,
  type InformerFactorySettings,
  type InformerSource,
  type InformerSourceOptions,
} from './factory.js';
export { KubeClient, type KubeBackend, type KubeClientOptions } from './client/kube-client.js';
export type { ResourceClient, Scale } from './client/resource-client.js';
export type { Write } from './client/write.js';
export type {
  ApplyOptions,
  ClientListOptions,
  DeleteOptions,
  JsonPatchOperation,
  Patch,
  RequestOptions,
  WriteOptions,
} from './client/write-options.js';
export {
  fieldValue,
  parseFieldSelector,
  type FieldRequirement,
  type FieldSelector,
} from './selectors/field-selector.js';
export { parseLabelSelector, type LabelSelector } from './selectors/label-selector.js';
export { InvalidSelectorError } from './selectors/invalid-selector-error.js';
export { WaitForTimeoutError } from './wait-for-timeout-error.js';
export type { WaitForOptions } from './read-your-writes.js';
export { CacheSyncError, type CacheSyncOptions, type UnsyncedInformer } from './cache-sync.js';
