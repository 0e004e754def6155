import type { ResourceDescriptor } from '@rxinformer/core';

/**
 * The Kubernetes verb of a request: `get`, `list`, `watch`, `create`, `update`, `patch`,
 * `delete`, `deletecollection`, or `discovery` (everything that is not a resource request).
 *
 * @example
 * ```ts
 * const watches = server.requests.filter((r) => r.verb === ('watch' satisfies Verb));
 * ```
 */
export type Verb =
  'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection' | 'discovery';

/**
 * What the server knows about a request once it has resolved its path: what fault injection
 * and the request log match against.
 *
 * @example
 * ```ts
 * const info: RequestInfo = { method: 'GET', verb: 'watch', path: '/api/v1/pods', watch: true, resource: Pods, namespace: undefined };
 * ```
 */
export interface RequestInfo {
  readonly method: string;
  readonly verb: Verb;
  readonly path: string;
  readonly watch: boolean;
  readonly resource: ResourceDescriptor | undefined;
  readonly namespace: string | undefined;
}
