import type { ObjectStore } from '../store/object-store.js';
import type { ServedResource } from '../store/served-resource.js';

/** What a request path addresses. */
export type RequestTarget =
  | { readonly kind: 'root' | 'api' | 'apis' | 'version' | 'health' | 'openapi' }
  | { readonly kind: 'group'; readonly group: string }
  | { readonly kind: 'groupVersion'; readonly group: string; readonly version: string }
  | {
      readonly kind: 'resource';
      readonly served: ServedResource;
      readonly namespace: string | undefined;
      readonly name: string | undefined;
      readonly subresource: string | undefined;
      /** The legacy `/api/v1/watch/...` form. */
      readonly legacyWatch: boolean;
    }
  | { readonly kind: 'notFound' };

const HEALTH = /^\/(healthz|livez|readyz)(\/.*)?$/;

/**
 * Resolves a request path the way the API server's request-info resolver does:
 * `/api/v1[/watch][/namespaces/{ns}]/{plural}[/{name}[/{subresource}]]` and the same under
 * `/apis/{group}/{version}`, plus discovery and health endpoints.
 *
 * @example
 * ```ts
 * declare const store: ObjectStore; // the server's
 * resolveTarget(store, '/api/v1/namespaces/shop/pods/web-1'); // { kind: 'resource', namespace: 'shop', name: 'web-1', … }
 * ```
 */
export function resolveTarget(store: ObjectStore, pathname: string): RequestTarget {
  const path = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
  if (path === '/' || path === '') return { kind: 'root' };
  if (path === '/version') return { kind: 'version' };
  if (HEALTH.test(path)) return { kind: 'health' };
  if (path.startsWith('/openapi/')) return { kind: 'openapi' };
  const segments = path
    .split('/')
    .slice(1)
    .map((s) => decodeURIComponent(s));
  let group: string;
  let version: string | undefined;
  let rest: string[];
  if (segments[0] === 'api') {
    if (segments.length === 1) return { kind: 'api' };
    group = '';
    version = segments[1];
    rest = segments.slice(2);
  } else if (segments[0] === 'apis') {
    if (segments.length === 1) return { kind: 'apis' };
    group = segments[1] ?? '';
    if (segments.length === 2) return { kind: 'group', group };
    version = segments[2];
    rest = segments.slice(3);
  } else {
    return { kind: 'notFound' };
  }
  if (version === undefined) return { kind: 'notFound' };
  if (rest.length === 0) return { kind: 'groupVersion', group, version };
  let legacyWatch = false;
  if (rest[0] === 'watch') {
    legacyWatch = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (
    rest[0] === 'namespaces' &&
    rest.length >= 3 &&
    !(rest.length === 3 && ['status', 'finalize'].includes(rest[2] as string))
  ) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource, ...extra] = rest;
  if (plural === undefined || extra.length > 0) return { kind: 'notFound' };
  const served = store.find(group, version, plural);
  if (served === undefined) return { kind: 'notFound' };
  // A namespaced path for a cluster-scoped resource, or a named namespaced object without a namespace.
  if (namespace !== undefined && !served.descriptor.namespaced) return { kind: 'notFound' };
  if (namespace === undefined && served.descriptor.namespaced && name !== undefined)
    return { kind: 'notFound' };
  return { kind: 'resource', served, namespace, name, subresource, legacyWatch };
}
