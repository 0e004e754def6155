import type { Verb } from '../request/request-info.js';

/**
 * One request a fake cluster answered (or is answering: an open watch has `code` 0), as tests
 * assert on them: `cluster.requests`, and `cluster.writes` for the writes alone.
 *
 * @example
 * ```ts
 * const cluster = createFakeCluster({ scheduler });
 * expect(cluster.writes.map((r) => `${r.verb} ${r.resource} ${r.namespace}/${r.name}`)).toEqual([
 *   'create configmaps shop/web',
 * ]);
 * ```
 */
export interface FakeRequest {
  readonly verb: Verb;
  /** `plural` or `plural.group` (`deployments.apps`), as RBAC names it. */
  readonly resource: string;
  readonly namespace: string | undefined;
  /** The object's name; undefined for lists, watches and creates. */
  readonly name: string | undefined;
  /** `status` for a write of the status subresource. */
  readonly subresource: string | undefined;
  /** Query parameters, as the client sent them. */
  readonly query: Readonly<Record<string, string>>;
  /** When it arrived, on the cluster's scheduler. */
  readonly at: number;
  /** The HTTP status it was answered with (200, 201, 409, …); 0 while a watch is open. */
  code: number;
}

const WRITES: ReadonlySet<Verb> = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

/** Whether a request changed (or tried to change) the store. */
export function isWrite(request: FakeRequest): boolean {
  return WRITES.has(request.verb);
}
