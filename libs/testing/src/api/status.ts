import type { ResourceDescriptor } from '@rxinformer/core';

/**
 * One cause of an `Invalid` (422) Status, as the API server reports field errors.
 *
 * @example
 * ```ts
 * const cause: StatusCause = { reason: 'FieldValueRequired', message: 'Required value', field: 'metadata.name' };
 * ```
 */
export interface StatusCause {
  readonly reason?: string;
  readonly message?: string;
  readonly field?: string;
}

/**
 * A Kubernetes `meta/v1 Status` body, exactly as the simulator writes it on the wire.
 *
 * @example
 * ```ts
 * const status: KubeStatus = {
 *   kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
 *   message: 'pods "x" not found', reason: 'NotFound', details: { name: 'x', kind: 'pods' }, code: 404,
 * };
 * ```
 */
export interface KubeStatus {
  readonly kind: 'Status';
  readonly apiVersion: 'v1';
  readonly metadata: { readonly continue?: string; readonly resourceVersion?: string };
  readonly status: 'Failure' | 'Success';
  readonly message?: string;
  readonly reason?: string;
  readonly details?: {
    readonly name?: string;
    readonly group?: string;
    readonly kind?: string;
    readonly uid?: string;
    readonly causes?: readonly StatusCause[];
    readonly retryAfterSeconds?: number;
  };
  readonly code: number;
}

/**
 * An error that the simulator answers with: it carries the `Status` body and its HTTP code.
 * The server's direct methods (`server.create`, …) throw it with the same body a REST client sees.
 *
 * @example
 * ```ts
 * try { server.get(Pods, 'missing', 'shop'); }
 * catch (error) { if (error instanceof KubeStatusError) console.log(error.code, error.status.reason); }
 * ```
 */
export class KubeStatusError extends Error {
  override readonly name = 'KubeStatusError';
  constructor(readonly status: KubeStatus) {
    super(status.message ?? status.reason ?? `HTTP ${status.code}`);
  }
  /** The HTTP status code. */
  get code(): number {
    return this.status.code;
  }
}

type Details = NonNullable<KubeStatus['details']>;

function failure(
  code: number,
  reason: string,
  message: string,
  details?: Details,
  metadata: KubeStatus['metadata'] = {},
): KubeStatusError {
  const status: KubeStatus = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata,
    status: 'Failure',
    message,
    reason,
    ...(details === undefined ? {} : { details }),
    code,
  };
  return new KubeStatusError(status);
}

/** `plural` or `plural.group`, the resource name the API server puts in messages. */
export function qualifiedResource(resource: Pick<ResourceDescriptor, 'group' | 'plural'>): string {
  return resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
}

function resourceDetails(resource: Pick<ResourceDescriptor, 'group' | 'plural'>, name: string): Details {
  return resource.group
    ? { name, group: resource.group, kind: resource.plural }
    : { name, kind: resource.plural };
}

type Res = Pick<ResourceDescriptor, 'group' | 'plural'>;

/**
 * Builders for the Status errors the real API server returns, with its messages and reasons;
 * each returns a {@link KubeStatusError}.
 *
 * @example
 * ```ts
 * StatusErrors.notFound(Pods, 'web-1').status.message; // 'pods "web-1" not found'
 * StatusErrors.gone('too old resource version: 1 (42)').code; // 410
 * ```
 */
export const StatusErrors = {
  notFound: (resource: Res, name: string) =>
    failure(
      404,
      'NotFound',
      `${qualifiedResource(resource)} "${name}" not found`,
      resourceDetails(resource, name),
    ),
  resourceNotFound: () => failure(404, 'NotFound', 'the server could not find the requested resource', {}),
  alreadyExists: (resource: Res, name: string) =>
    failure(
      409,
      'AlreadyExists',
      `${qualifiedResource(resource)} "${name}" already exists`,
      resourceDetails(resource, name),
    ),
  conflict: (resource: Res, name: string, why: string) =>
    failure(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualifiedResource(resource)} "${name}": ${why}`,
      resourceDetails(resource, name),
    ),
  staleUpdate: (resource: Res, name: string) =>
    StatusErrors.conflict(
      resource,
      name,
      'the object has been modified; please apply your changes to the latest version and try again',
    ),
  invalid: (
    kind: string,
    group: string,
    name: string,
    causes: readonly (StatusCause & { field: string; message: string })[],
  ) =>
    failure(
      422,
      'Invalid',
      `${group ? `${kind}.${group}` : kind} "${name}" is invalid: ${causes.length === 1 ? `${causes[0]?.field}: ${causes[0]?.message}` : `[${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}]`}`,
      // Go omits an empty name (`json:"name,omitempty"`), as for ListOptions errors.
      { ...(name ? { name } : {}), ...(group ? { group } : {}), kind, causes },
    ),
  badRequest: (message: string) => failure(400, 'BadRequest', message),
  unauthorized: () => failure(401, 'Unauthorized', 'Unauthorized'),
  methodNotAllowed: () =>
    failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {}),
  notAcceptable: (
    message = '406: Not Acceptable\n\nAvailable representations: application/json, application/yaml, application/vnd.kubernetes.protobuf',
  ) => failure(406, 'NotAcceptable', message),
  gone: (message: string, metadata: KubeStatus['metadata'] = {}) =>
    failure(410, 'Expired', message, undefined, metadata),
  entityTooLarge: (limit: number) =>
    failure(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`),
  unsupportedMediaType: (accepted: readonly string[]) =>
    failure(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    ),
  tooManyRequests: (message = 'Too many requests, please try again later.', retryAfterSeconds?: number) =>
    failure(429, 'TooManyRequests', message, retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  internal: (message: string) =>
    failure(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] }),
  serviceUnavailable: (
    message = 'The server is currently unable to handle the request',
    retryAfterSeconds?: number,
  ) =>
    failure(503, 'ServiceUnavailable', message, retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  /** Any code with a given reason, as fault injection needs. */
  custom: (code: number, reason: string, message: string, retryAfterSeconds?: number) =>
    failure(code, reason, message, retryAfterSeconds === undefined ? undefined : { retryAfterSeconds }),
} as const;

/** Converts anything a handler threw into a KubeStatusError (unknown errors become 500 InternalError). */
export function toStatusError(error: unknown): KubeStatusError {
  if (error instanceof KubeStatusError) return error;
  return StatusErrors.internal(error instanceof Error ? error.message : String(error));
}
