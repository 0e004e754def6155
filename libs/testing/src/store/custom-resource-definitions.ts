import { defineResource, type ResourceDescriptor } from '@rxinformer/core';
import type { StoreEvent } from './event-history.js';
import type { ObjectStore } from './object-store.js';
import { decodeVersion } from './stored-version.js';

type Json = Record<string, unknown>;

interface CrdVersion {
  readonly name?: string;
  readonly served?: boolean;
  readonly storage?: boolean;
  readonly subresources?: { readonly status?: unknown };
}

interface CrdSpec {
  readonly group?: string;
  readonly scope?: string;
  readonly names?: { plural?: string; singular?: string; kind?: string; shortNames?: string[] };
  readonly versions?: readonly CrdVersion[];
}

/**
 * The resources a CustomResourceDefinition object defines: one descriptor per served version,
 * and whether that version has a status subresource.
 *
 * @example
 * ```ts
 * declare const crd: Record<string, unknown>; // a CustomResourceDefinition as the API received it
 * const defined = customResourcesOf(crd); // [{ descriptor: websites v1, hasStatus: true }]
 * ```
 */
export function customResourcesOf(crd: Json): { descriptor: ResourceDescriptor; hasStatus: boolean }[] {
  const spec = (crd['spec'] ?? {}) as CrdSpec;
  const names = spec.names ?? {};
  if (!spec.group || !names.plural || !names.kind) return [];
  return (spec.versions ?? [])
    .filter((version) => version.served !== false && version.name)
    .map((version) => ({
      descriptor: defineResource({
        group: spec.group as string,
        version: version.name as string,
        plural: names.plural as string,
        kind: names.kind as string,
        namespaced: spec.scope !== 'Cluster',
        shortNames: names.shortNames ?? [],
        singular: names.singular ?? (names.kind as string).toLowerCase(),
      }),
      hasStatus: version.subresources?.status !== undefined,
    }));
}

/** Fills the status the apiextensions controller would set right away: names accepted, established. */
function establish(crd: Json): void {
  const spec = (crd['spec'] ?? {}) as CrdSpec;
  const now = new Date().toISOString().slice(0, 19) + 'Z';
  const condition = (type: string, reason: string, message: string) => ({
    type,
    status: 'True',
    lastTransitionTime: now,
    reason,
    message,
  });
  crd['status'] = {
    conditions: [
      condition('NamesAccepted', 'NoConflicts', 'no conflicts found'),
      condition('Established', 'InitialNamesAccepted', 'the initial names have been accepted'),
    ],
    acceptedNames: { ...(spec.names ?? {}) },
    storedVersions: (spec.versions ?? []).filter((v) => v.storage).map((v) => v.name),
  };
}

/**
 * Makes the store serve custom resources as CRD objects come and go: a created CRD is
 * established and its versions are served at once; a deleted CRD takes its objects with it.
 */
export function serveCustomResourceDefinitions(store: ObjectStore): void {
  const crds = store.find('apiextensions.k8s.io', 'v1', 'customresourcedefinitions');
  if (crds === undefined) return;
  store.onCreate('apiextensions.k8s.io', 'customresourcedefinitions', establish);
  crds.table.listeners.add((event: StoreEvent) => {
    const crd = decodeVersion<Json>(crds.head, event.object);
    const defined = customResourcesOf(crd);
    if (event.type === 'DELETED') {
      const first = defined[0];
      if (first === undefined) return;
      const served = store.find(first.descriptor.group, first.descriptor.version, first.descriptor.plural);
      if (served !== undefined) store.deleteAll(served.table);
      store.unregister(first.descriptor.group, first.descriptor.plural);
      return;
    }
    for (const { descriptor, hasStatus } of defined)
      store.register(descriptor, { builtin: false, hasStatus });
  });
}
