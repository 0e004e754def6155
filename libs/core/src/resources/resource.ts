import type { KubeObject } from './kube-object.js';

/**
 * Describes one resource of the Kubernetes API: where it is served and what its objects are.
 * `T` is the type of one object; the descriptor carries it only at the type level.
 *
 * @example
 * ```ts
 * const websites = defineResource<Website>({
 *   group: 'example.com', version: 'v1', plural: 'websites', kind: 'Website', namespaced: true,
 * });
 * ```
 */
export interface ResourceDescriptor<T extends KubeObject = KubeObject> {
  /** API group; `''` for the core group (`/api/v1`). */
  readonly group: string;
  readonly version: string;
  /** Lower-case plural used in paths, such as `pods`. */
  readonly plural: string;
  readonly kind: string;
  /** Whether objects live in a namespace (Pods) or at cluster scope (Nodes). */
  readonly namespaced: boolean;
  /** `group/version`, or just `version` for the core group. */
  readonly apiVersion: string;
  /** Short names for kubectl (`po`, `cm`), as discovery reports them. */
  readonly shortNames: readonly string[];
  /** Singular name as discovery reports it, such as `pod`. */
  readonly singular: string;
  /** Phantom member that carries `T`; always `undefined` at run time. */
  readonly __object?: T;
}

/**
 * What {@link defineResource} needs to describe a resource.
 *
 * @example
 * ```ts
 * const spec: ResourceSpec = { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true };
 * ```
 */
export interface ResourceSpec {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  shortNames?: readonly string[];
  singular?: string;
}

/**
 * Creates a typed descriptor for any group/version/plural: a built-in the library does not
 * ship, or a custom resource. The result is frozen and safe to share.
 *
 * @example
 * ```ts
 * interface Website extends KubeObject { spec?: { message: string; replicas: number } }
 * const Websites = defineResource<Website>({
 *   group: 'example.com', version: 'v1', plural: 'websites', kind: 'Website', namespaced: true,
 * });
 * const sites = informers.informer(Websites, { namespace: 'web' });
 * ```
 */
export function defineResource<T extends KubeObject = KubeObject>(spec: ResourceSpec): ResourceDescriptor<T> {
  for (const field of ['version', 'plural', 'kind'] as const) {
    if (typeof spec[field] !== 'string' || spec[field] === '') {
      throw new TypeError(`defineResource: '${field}' must be a non-empty string`);
    }
  }
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(spec.plural)) {
    throw new TypeError(`defineResource: plural '${spec.plural}' is not a lower-case DNS name`);
  }
  return Object.freeze({
    group: spec.group,
    version: spec.version,
    plural: spec.plural,
    kind: spec.kind,
    namespaced: spec.namespaced,
    apiVersion: spec.group ? `${spec.group}/${spec.version}` : spec.version,
    shortNames: Object.freeze([...(spec.shortNames ?? [])]),
    singular: spec.singular ?? spec.kind.toLowerCase(),
  });
}

/**
 * The REST path of a resource's collection, optionally within a namespace.
 *
 * @example
 * ```ts
 * resourcePath(Pods, 'shop'); // '/api/v1/namespaces/shop/pods'
 * resourcePath(Deployments); // '/apis/apps/v1/deployments'
 * ```
 */
export function resourcePath(resource: ResourceDescriptor, namespace?: string): string {
  const prefix = resource.group ? `/apis/${resource.group}/${resource.version}` : `/api/${resource.version}`;
  if (namespace && resource.namespaced) {
    return `${prefix}/namespaces/${encodeURIComponent(namespace)}/${resource.plural}`;
  }
  return `${prefix}/${resource.plural}`;
}

/**
 * A human-readable name for a resource, `plural.group` (`deployments.apps`) or `plural` for
 * the core group, as kubectl and RBAC messages spell it.
 *
 * @example
 * ```ts
 * resourceName(Deployments); // 'deployments.apps'
 * ```
 */
export function resourceName(resource: ResourceDescriptor): string {
  return resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
}
