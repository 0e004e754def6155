import type { ResourceDescriptor } from '@rxinformer/core';
import type { ResourceTable } from './resource-table.js';

/**
 * One resource as served at one group/version: its descriptor, the table holding its objects
 * (shared by every version of the same group/plural) and the pre-serialized type meta.
 */
export interface ServedResource {
  readonly descriptor: ResourceDescriptor;
  readonly table: ResourceTable;
  /** `{"kind":"Pod","apiVersion":"v1",` — prefix of a full object. */
  readonly head: string;
  /** Prefix of a list item: `{` for built-ins (their list items carry no type meta), `head` for custom resources. */
  readonly itemHead: string;
  /** Built-in resources accept strategic merge patches and list items without type meta. */
  readonly builtin: boolean;
  /** Whether a `/status` subresource exists (main-resource writes then keep the old status). */
  readonly hasStatus: boolean;
  /** Whether DELETE answers with the object (Pods, Services, …) instead of a Success Status. */
  readonly returnsDeletedObject: boolean;
  /** Whether objects carry `metadata.generation` (custom resources, workloads; not ConfigMaps or Secrets). */
  readonly tracksGeneration: boolean;
}

// Built-ins with a status subresource, and those whose DELETE returns the object (`group/plural`).
const WITH_STATUS = new Set([
  '/pods',
  '/services',
  '/nodes',
  '/namespaces',
  '/persistentvolumes',
  '/persistentvolumeclaims',
  '/replicationcontrollers',
  'apps/deployments',
  'apps/replicasets',
  'apps/statefulsets',
  'apps/daemonsets',
  'batch/jobs',
  'batch/cronjobs',
  'apiextensions.k8s.io/customresourcedefinitions',
]);
// Built-ins whose registry strategy sets metadata.generation (the real server omits it for the
// rest, such as configmaps, secrets, services and namespaces).
const WITH_GENERATION = new Set([
  '/pods',
  '/replicationcontrollers',
  'apps/deployments',
  'apps/replicasets',
  'apps/statefulsets',
  'apps/daemonsets',
  'batch/jobs',
  'batch/cronjobs',
  'networking.k8s.io/networkpolicies',
  'networking.k8s.io/ingresses',
  'policy/poddisruptionbudgets',
  'apiextensions.k8s.io/customresourcedefinitions',
]);
const RETURNS_DELETED = new Set([
  '/pods',
  '/services',
  '/serviceaccounts',
  '/persistentvolumes',
  '/persistentvolumeclaims',
  '/namespaces',
]);

/** True for groups Kubernetes itself serves (custom resource groups always contain a dot and are not `*.k8s.io`). */
export function isBuiltinGroup(group: string): boolean {
  return group === '' || !group.includes('.') || group.endsWith('.k8s.io');
}

/** Builds the served form of a descriptor. */
export function serve(
  descriptor: ResourceDescriptor,
  table: ResourceTable,
  options: { builtin?: boolean; hasStatus?: boolean } = {},
): ServedResource {
  const id = `${descriptor.group}/${descriptor.plural}`;
  const builtin = options.builtin ?? isBuiltinGroup(descriptor.group);
  const head = builtin
    ? `{"kind":${JSON.stringify(descriptor.kind)},"apiVersion":${JSON.stringify(descriptor.apiVersion)},`
    : `{"apiVersion":${JSON.stringify(descriptor.apiVersion)},"kind":${JSON.stringify(descriptor.kind)},`;
  return {
    descriptor,
    table,
    head,
    itemHead: builtin ? '{' : head,
    builtin,
    hasStatus: options.hasStatus ?? (builtin ? WITH_STATUS.has(id) : false),
    returnsDeletedObject: builtin && RETURNS_DELETED.has(id),
    tracksGeneration: !builtin || WITH_GENERATION.has(id),
  };
}
