import type { V1ObjectMeta } from '@kubernetes/client-node';

/**
 * The JSON form of a `@kubernetes/client-node` model type: what the API server sends on the
 * wire, with `Date` fields as RFC 3339 strings. client-node's own API classes turn timestamps
 * into `Date`s; an informer caches the parsed JSON as it arrived, so its types say `string`.
 *
 * @example
 * ```ts
 * import type { V1Pod } from '@kubernetes/client-node';
 * import type { Wire } from '@rxinformer/core';
 * const started: string | undefined = ({} as Wire<V1Pod>).status?.startTime;
 * ```
 */
export type Wire<T> = T extends Date
  ? string
  : T extends ReadonlyArray<infer U>
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

/**
 * Object metadata as it arrives on the wire.
 *
 * @example
 * ```ts
 * const meta: ObjectMeta = { name: 'web-1', namespace: 'shop', resourceVersion: '42' };
 * ```
 */
export type ObjectMeta = Wire<V1ObjectMeta>;

/**
 * The least an object served by the Kubernetes API has: type meta and object metadata.
 * Every resource an informer caches satisfies it.
 *
 * @example
 * ```ts
 * const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app', namespace: 'shop' } };
 * ```
 */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

/**
 * The cache key of an object, `namespace/name` for namespaced objects and `name` for
 * cluster-scoped ones, as client-go's `MetaNamespaceKeyFunc` computes it.
 *
 * @example
 * ```ts
 * objectKey({ metadata: { namespace: 'shop', name: 'web-1' } }); // 'shop/web-1'
 * objectKey({ metadata: { name: 'node-a' } }); // 'node-a'
 * ```
 */
export function objectKey(object: KubeObject): string {
  const meta = object.metadata;
  const name = meta?.name ?? '';
  return meta?.namespace ? `${meta.namespace}/${name}` : name;
}
