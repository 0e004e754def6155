import { firstValueFrom } from 'rxjs';
import { ResourceNotFoundError } from '../errors.js';
import type { KubeTransport } from '../transport/kube-transport.js';
import type { KubeObject } from '../resources/kube-object.js';
import { defineResource, type ResourceDescriptor } from '../resources/resource.js';

/**
 * A resource named the way manifests name it.
 *
 * @example
 * ```ts
 * const ref: ResourceReference = { apiVersion: 'example.com/v1', kind: 'Website' };
 * ```
 */
export interface ResourceReference {
  apiVersion: string;
  kind: string;
}

interface APIResourceList {
  resources?: {
    name: string;
    singularName?: string;
    namespaced: boolean;
    kind: string;
    shortNames?: string[];
  }[];
}

/**
 * Resolves apiVersion and kind to a descriptor through API discovery
 * (`/apis/{group}/{version}`, or `/api/v1`). Rejects with {@link ResourceNotFoundError} when the
 * server does not serve that kind.
 *
 * @example
 * ```ts
 * const Websites = await discoverResource(informers.transport, { apiVersion: 'example.com/v1', kind: 'Website' });
 * ```
 */
export async function discoverResource<T extends KubeObject = KubeObject>(
  transport: KubeTransport,
  reference: ResourceReference,
): Promise<ResourceDescriptor<T>> {
  const slash = reference.apiVersion.indexOf('/');
  const group = slash === -1 ? '' : reference.apiVersion.slice(0, slash);
  const version = slash === -1 ? reference.apiVersion : reference.apiVersion.slice(slash + 1);
  const path = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const context = { verb: 'discover' as const, resource: `${reference.kind} (${reference.apiVersion})` };
  const list = await firstValueFrom(transport.getJson<APIResourceList>(path, context));
  const found = list.resources?.find((r) => r.kind === reference.kind && !r.name.includes('/'));
  if (!found) {
    throw new ResourceNotFoundError(
      {
        kind: 'Status',
        code: 404,
        reason: 'NotFound',
        message: `the server does not serve kind ${reference.kind} in ${reference.apiVersion}`,
      },
      context,
    );
  }
  return defineResource<T>({
    group,
    version,
    plural: found.name,
    kind: found.kind,
    namespaced: found.namespaced,
    ...(found.shortNames ? { shortNames: found.shortNames } : {}),
    ...(found.singularName ? { singular: found.singularName } : {}),
  });
}
