import type {
  CoreV1Event,
  V1ConfigMap,
  V1CronJob,
  V1CustomResourceDefinition,
  V1DaemonSet,
  V1Deployment,
  V1EndpointSlice,
  V1Endpoints,
  V1Job,
  V1Lease,
  V1Namespace,
  V1Node,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Pod,
  V1ReplicaSet,
  V1Secret,
  V1Service,
  V1ServiceAccount,
  V1StatefulSet,
} from '@kubernetes/client-node';
import type { Wire } from './kube-object.js';
import { defineResource, type ResourceDescriptor } from './resource.js';

// One descriptor per built-in. Short names follow `kubectl api-resources`.

/** Pods (`v1`, namespaced). @example ```ts informers.informer(Pods, { namespace: 'shop' }); ``` */
export const Pods: ResourceDescriptor<Wire<V1Pod>> = defineResource({
  group: '',
  version: 'v1',
  plural: 'pods',
  kind: 'Pod',
  namespaced: true,
  shortNames: ['po'],
});
/** ConfigMaps (`v1`, namespaced). @example ```ts informers.informer(ConfigMaps, { namespace: 'shop' }); ``` */
export const ConfigMaps: ResourceDescriptor<Wire<V1ConfigMap>> = defineResource({
  group: '',
  version: 'v1',
  plural: 'configmaps',
  kind: 'ConfigMap',
  namespaced: true,
  shortNames: ['cm'],
});
/** Secrets (`v1`, namespaced). @example ```ts informers.informer(Secrets, { namespace: 'shop' }); ``` */
export const Secrets: ResourceDescriptor<Wire<V1Secret>> = defineResource({
  group: '',
  version: 'v1',
  plural: 'secrets',
  kind: 'Secret',
  namespaced: true,
});
/** Services (`v1`, namespaced). @example ```ts informers.informer(Services); ``` */
export const Services: ResourceDescriptor<Wire<V1Service>> = defineResource({
  group: '',
  version: 'v1',
  plural: 'services',
  kind: 'Service',
  namespaced: true,
  shortNames: ['svc'],
});
/** Endpoints (`v1`, namespaced). @example ```ts informers.informer(Endpoints, { namespace: 'shop' }); ``` */
export const Endpoints: ResourceDescriptor<Wire<V1Endpoints>> = defineResource({
  group: '',
  version: 'v1',
  plural: 'endpoints',
  kind: 'Endpoints',
  namespaced: true,
  shortNames: ['ep'],
  singular: 'endpoints',
});
/** EndpointSlices (`discovery.k8s.io/v1`, namespaced). @example ```ts informers.informer(EndpointSlices); ``` */
export const EndpointSlices: ResourceDescriptor<Wire<V1EndpointSlice>> = defineResource({
  group: 'discovery.k8s.io',
  version: 'v1',
  plural: 'endpointslices',
  kind: 'EndpointSlice',
  namespaced: true,
});
/** Namespaces (`v1`, cluster-scoped). @example ```ts informers.informer(Namespaces); ``` */
export const Namespaces: ResourceDescriptor<Wire<V1Namespace>> = defineResource({
  group: '',
  version: 'v1',
  plural: 'namespaces',
  kind: 'Namespace',
  namespaced: false,
  shortNames: ['ns'],
});
/** Nodes (`v1`, cluster-scoped). @example ```ts informers.informer(Nodes); ``` */
export const Nodes: ResourceDescriptor<Wire<V1Node>> = defineResource({
  group: '',
  version: 'v1',
  plural: 'nodes',
  kind: 'Node',
  namespaced: false,
  shortNames: ['no'],
});
/** Core Events (`v1`, namespaced). @example ```ts informers.informer(Events, { fieldSelector: 'type=Warning' }); ``` */
export const Events: ResourceDescriptor<Wire<CoreV1Event>> = defineResource({
  group: '',
  version: 'v1',
  plural: 'events',
  kind: 'Event',
  namespaced: true,
  shortNames: ['ev'],
});
/** ServiceAccounts (`v1`, namespaced). @example ```ts informers.informer(ServiceAccounts); ``` */
export const ServiceAccounts: ResourceDescriptor<Wire<V1ServiceAccount>> = defineResource({
  group: '',
  version: 'v1',
  plural: 'serviceaccounts',
  kind: 'ServiceAccount',
  namespaced: true,
  shortNames: ['sa'],
});
/** PersistentVolumeClaims (`v1`, namespaced). @example ```ts informers.informer(PersistentVolumeClaims); ``` */
export const PersistentVolumeClaims: ResourceDescriptor<Wire<V1PersistentVolumeClaim>> = defineResource({
  group: '',
  version: 'v1',
  plural: 'persistentvolumeclaims',
  kind: 'PersistentVolumeClaim',
  namespaced: true,
  shortNames: ['pvc'],
});
/** PersistentVolumes (`v1`, cluster-scoped). @example ```ts informers.informer(PersistentVolumes); ``` */
export const PersistentVolumes: ResourceDescriptor<Wire<V1PersistentVolume>> = defineResource({
  group: '',
  version: 'v1',
  plural: 'persistentvolumes',
  kind: 'PersistentVolume',
  namespaced: false,
  shortNames: ['pv'],
});
/** Deployments (`apps/v1`, namespaced). @example ```ts informers.informer(Deployments); ``` */
export const Deployments: ResourceDescriptor<Wire<V1Deployment>> = defineResource({
  group: 'apps',
  version: 'v1',
  plural: 'deployments',
  kind: 'Deployment',
  namespaced: true,
  shortNames: ['deploy'],
});
/** ReplicaSets (`apps/v1`, namespaced). @example ```ts informers.informer(ReplicaSets); ``` */
export const ReplicaSets: ResourceDescriptor<Wire<V1ReplicaSet>> = defineResource({
  group: 'apps',
  version: 'v1',
  plural: 'replicasets',
  kind: 'ReplicaSet',
  namespaced: true,
  shortNames: ['rs'],
});
/** StatefulSets (`apps/v1`, namespaced). @example ```ts informers.informer(StatefulSets); ``` */
export const StatefulSets: ResourceDescriptor<Wire<V1StatefulSet>> = defineResource({
  group: 'apps',
  version: 'v1',
  plural: 'statefulsets',
  kind: 'StatefulSet',
  namespaced: true,
  shortNames: ['sts'],
});
/** DaemonSets (`apps/v1`, namespaced). @example ```ts informers.informer(DaemonSets); ``` */
export const DaemonSets: ResourceDescriptor<Wire<V1DaemonSet>> = defineResource({
  group: 'apps',
  version: 'v1',
  plural: 'daemonsets',
  kind: 'DaemonSet',
  namespaced: true,
  shortNames: ['ds'],
});
/** Jobs (`batch/v1`, namespaced). @example ```ts informers.informer(Jobs); ``` */
export const Jobs: ResourceDescriptor<Wire<V1Job>> = defineResource({
  group: 'batch',
  version: 'v1',
  plural: 'jobs',
  kind: 'Job',
  namespaced: true,
});
/** CronJobs (`batch/v1`, namespaced). @example ```ts informers.informer(CronJobs); ``` */
export const CronJobs: ResourceDescriptor<Wire<V1CronJob>> = defineResource({
  group: 'batch',
  version: 'v1',
  plural: 'cronjobs',
  kind: 'CronJob',
  namespaced: true,
  shortNames: ['cj'],
});
/** Leases (`coordination.k8s.io/v1`, namespaced). @example ```ts informers.informer(Leases, { namespace: 'kube-system' }); ``` */
export const Leases: ResourceDescriptor<Wire<V1Lease>> = defineResource({
  group: 'coordination.k8s.io',
  version: 'v1',
  plural: 'leases',
  kind: 'Lease',
  namespaced: true,
});
/** CustomResourceDefinitions (`apiextensions.k8s.io/v1`, cluster-scoped). @example ```ts informers.informer(CustomResourceDefinitions); ``` */
export const CustomResourceDefinitions: ResourceDescriptor<Wire<V1CustomResourceDefinition>> = defineResource(
  {
    group: 'apiextensions.k8s.io',
    version: 'v1',
    plural: 'customresourcedefinitions',
    kind: 'CustomResourceDefinition',
    namespaced: false,
    shortNames: ['crd', 'crds'],
  },
);

/**
 * Every built-in descriptor this library ships, for servers and tools that serve or list them.
 *
 * @example
 * ```ts
 * const kinds = BuiltinResources.map((r) => r.kind);
 * ```
 */
export const BuiltinResources: readonly ResourceDescriptor[] = Object.freeze([
  Pods,
  ConfigMaps,
  Secrets,
  Services,
  Endpoints,
  EndpointSlices,
  Namespaces,
  Nodes,
  Events,
  ServiceAccounts,
  PersistentVolumeClaims,
  PersistentVolumes,
  Deployments,
  ReplicaSets,
  StatefulSets,
  DaemonSets,
  Jobs,
  CronJobs,
  Leases,
  CustomResourceDefinitions,
] as ResourceDescriptor[]);
