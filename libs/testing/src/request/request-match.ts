import type { ResourceDescriptor } from '@rxinformer/core';
import type { RequestInfo, Verb } from './request-info.js';

/**
 * Selects requests, for fault injection and for awaiting a request; every given field must match,
 * an empty match selects all.
 *
 * @example
 * ```ts
 * server.faults.failNext(2, { code: 503, retryAfterSeconds: 1 }, { verb: 'list', resource: Pods });
 * server.faults.addLatency(200, { path: /\/configmaps/ });
 * ```
 */
export interface RequestMatch {
  readonly verb?: Verb | readonly Verb[];
  readonly method?: string;
  /** A path prefix (string) or a pattern tested against the path. */
  readonly path?: string | RegExp;
  readonly watch?: boolean;
  /** Matches by group and plural. */
  readonly resource?: Pick<ResourceDescriptor, 'group' | 'plural'>;
  readonly namespace?: string;
}

/**
 * Tests a request against a {@link RequestMatch}.
 *
 * @example
 * ```ts
 * declare const info: RequestInfo; // the request being served
 * matchesRequest({ verb: 'watch' }, info); // true for watch requests
 * ```
 */
export function matchesRequest(match: RequestMatch | undefined, info: RequestInfo): boolean {
  if (match === undefined) return true;
  if (
    match.verb !== undefined &&
    !(typeof match.verb === 'string' ? [match.verb] : match.verb).includes(info.verb)
  )
    return false;
  if (match.method !== undefined && match.method.toUpperCase() !== info.method) return false;
  if (match.watch !== undefined && match.watch !== info.watch) return false;
  if (match.namespace !== undefined && match.namespace !== info.namespace) return false;
  if (
    match.resource !== undefined &&
    (info.resource === undefined ||
      info.resource.group !== match.resource.group ||
      info.resource.plural !== match.resource.plural)
  ) {
    return false;
  }
  if (match.path !== undefined) {
    if (typeof match.path === 'string' ? !info.path.startsWith(match.path) : !match.path.test(info.path))
      return false;
  }
  return true;
}
