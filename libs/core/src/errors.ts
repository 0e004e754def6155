import type { V1Status } from '@kubernetes/client-node';
import type { Wire } from './resources/kube-object.js';

/**
 * A Kubernetes `Status` object as the API server sends it in error bodies and watch `ERROR`
 * events.
 *
 * @example
 * ```ts
 * if (err instanceof KubeApiError) console.log(err.status.reason, err.status.details?.name);
 * ```
 */
export type KubeStatus = Wire<V1Status>;

/**
 * The verb a request was made for, as RBAC names it.
 *
 * @example
 * ```ts
 * if (err instanceof ForbiddenError && err.verb === 'watch') console.error(`grant watch on ${err.context.resource}`);
 * ```
 */
export type Verb = 'list' | 'watch' | 'get' | 'create' | 'update' | 'patch' | 'delete' | 'discover';

/**
 * Where a failed request was aimed: the verb, the resource (`deployments.apps`) and the
 * namespace, when there is one. Every error of this library carries it, so messages can say
 * what the informer was trying to do.
 *
 * @example
 * ```ts
 * const where: RequestContext = { verb: 'list', resource: 'pods', namespace: 'shop' };
 * ```
 */
export interface RequestContext {
  readonly verb: Verb;
  readonly resource: string;
  readonly namespace?: string | undefined;
}

function describe(context: RequestContext): string {
  const scope = context.namespace ? ` in namespace "${context.namespace}"` : '';
  return `${context.verb} ${context.resource}${scope}`;
}

/**
 * The base class of every error this library emits.
 *
 * @example
 * ```ts
 * pods.events$.subscribe({ error: (e) => { if (e instanceof RxInformerError) console.error(e.message, e.transient); } });
 * ```
 */
export class RxInformerError extends Error {
  /** Whether retrying can help: transient errors are retried inside the informer. */
  readonly transient: boolean;
  constructor(message: string, options: { transient: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.transient = options.transient;
  }
}

/**
 * The API server answered with an error status, or sent a watch `ERROR` event. `status` is the
 * server's `Status` (synthesised from the HTTP status when the body was not one, as when a proxy
 * answers with HTML).
 *
 * @example
 * ```ts
 * catchError((e) => (e instanceof KubeApiError && e.code === 404 ? of([]) : throwError(() => e)));
 * ```
 */
export class KubeApiError extends RxInformerError {
  readonly status: KubeStatus;
  readonly code: number;
  readonly reason: string;
  readonly context: RequestContext;
  get verb(): Verb {
    return this.context.verb;
  }
  constructor(status: KubeStatus, context: RequestContext, transient: boolean) {
    const code = status.code ?? 0;
    const detail = status.message || status.reason || 'no message';
    super(`${describe(context)}: ${code} ${status.reason ?? 'Unknown'}: ${detail}`, { transient });
    this.status = status;
    this.code = code;
    this.reason = status.reason ?? 'Unknown';
    this.context = context;
  }
}

/**
 * 401: the credentials were missing, wrong or expired. Fatal: the informer stops.
 *
 * @example
 * ```ts
 * if (err instanceof UnauthorizedError) console.error('log in again:', err.message);
 * ```
 */
export class UnauthorizedError extends KubeApiError {
  constructor(status: KubeStatus, context: RequestContext) {
    super(status, context, false);
  }
}

/**
 * 403: RBAC (or an admission policy) forbids the verb. Fatal: the informer stops.
 *
 * @example
 * ```ts
 * if (err instanceof ForbiddenError) console.error(`grant ${err.verb} on ${err.context.resource}`);
 * ```
 */
export class ForbiddenError extends KubeApiError {
  constructor(status: KubeStatus, context: RequestContext) {
    super(status, context, false);
  }
}

/**
 * 404. For an informer (a request on a collection): the server does not serve this resource (a
 * CRD not installed, a wrong group or version) or the namespace path is wrong; fatal. For a
 * client request on one object (get, update, patch, delete): that object does not exist, and
 * `status.details.name` names it.
 *
 * @example
 * ```ts
 * if (err instanceof ResourceNotFoundError) console.error('is the CRD installed?', err.message);
 * ```
 */
export class ResourceNotFoundError extends KubeApiError {
  constructor(status: KubeStatus, context: RequestContext) {
    super(status, context, false);
  }
}

/**
 * 400 or 422: the request itself is invalid, such as a malformed label or field selector; also
 * a redirect, which no API server sends (the URL points at a proxy or login page). Fatal: the
 * same request would fail again.
 *
 * @example
 * ```ts
 * if (err instanceof InvalidRequestError) console.error('check the selector:', err.message);
 * ```
 */
export class InvalidRequestError extends KubeApiError {
  constructor(status: KubeStatus, context: RequestContext) {
    super(status, context, false);
  }

  /**
   * What the server found wrong, field by field (a 422's `details.causes`): empty when it said
   * nothing more than the message.
   *
   * @example
   * ```ts
   * if (err instanceof InvalidRequestError) for (const c of err.causes) console.error(c.field, c.message);
   * ```
   */
  get causes(): readonly { readonly field?: string; readonly message?: string; readonly reason?: string }[] {
    return this.status.details?.causes ?? [];
  }
}

/**
 * 409: the write lost an optimistic-concurrency race (a stale resourceVersion) or the object
 * already exists. Not transient in the sense of "retry the same request": read again, then write.
 *
 * @example
 * ```ts
 * const queue = new Set<string>(); // keys to reconcile again
 * if (err instanceof ConflictError) queue.add(key); // re-read the object and reconcile again
 * ```
 */
export class ConflictError extends KubeApiError {
  constructor(status: KubeStatus, context: RequestContext) {
    super(status, context, false);
  }

  /**
   * True for a create of an object that exists (reason `AlreadyExists`), false for a write that
   * lost a race or a server-side apply that conflicts with another field manager.
   *
   * @example
   * ```ts
   * try {
   *   await configMaps.create(desired);
   * } catch (err) {
   *   if (!(err instanceof ConflictError && err.alreadyExists)) throw err; // created meanwhile: fine
   * }
   * ```
   */
  get alreadyExists(): boolean {
    return this.reason === 'AlreadyExists';
  }
}

/**
 * 410: the resourceVersion (or `continue` token) is older than the server's history. Transient:
 * the reflector relists and diffs the cache.
 *
 * @example
 * ```ts
 * let relists = 0;
 * pods.health$.pipe(filter((h) => h.lastError instanceof ExpiredError)).subscribe(() => relists++);
 * ```
 */
export class ExpiredError extends KubeApiError {
  constructor(status: KubeStatus, context: RequestContext) {
    super(status, context, true);
  }
}

/**
 * 429, 5xx and other server-side failures. Transient; `retryAfterMs` holds the server's
 * `Retry-After`, which the backoff honours.
 *
 * @example
 * ```ts
 * if (err instanceof ServerBusyError) console.log('server asked to wait', err.retryAfterMs);
 * ```
 */
export class ServerBusyError extends KubeApiError {
  readonly retryAfterMs: number | undefined;
  constructor(status: KubeStatus, context: RequestContext, retryAfterMs?: number) {
    super(status, context, true);
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * The connection failed or broke: refused, reset, timed out, closed mid-response, or TLS
 * verification failed. Transient, except a TLS verification failure (`tls: true`), which is
 * fatal for an informer that never connected; one that connected before (a certificate rotated
 * under a running informer) retries with backoff.
 *
 * @example
 * ```ts
 * if (err instanceof ConnectionError) console.log(err.code); // 'ECONNREFUSED', 'CERT_HAS_EXPIRED', ...
 * ```
 */
export class ConnectionError extends RxInformerError {
  /** The Node.js error code, such as `ECONNRESET`, or `TIMEOUT` for our own timeouts. */
  readonly code: string;
  readonly context: RequestContext;
  /** Whether the failure is TLS verification (wrong CA, expired or mismatched certificate). */
  readonly tls: boolean;
  constructor(
    message: string,
    code: string,
    context: RequestContext,
    options: { tls?: boolean; transient?: boolean; cause?: unknown } = {},
  ) {
    // A TLS verification failure does not heal by retrying the same request: say so.
    const transient = options.transient ?? !options.tls;
    super(`${describe(context)}: ${message}`, { transient, cause: options.cause });
    this.code = code;
    this.context = context;
    this.tls = options.tls ?? false;
  }
}

/**
 * A watch or list body could not be decoded: a line that is not JSON, an event without a
 * type or object, a list without items. Transient: the reflector resumes from the last good
 * resourceVersion. `sample` describes the offending input without its content (its size, and
 * the event type, kind and name where they can be read), because a payload can hold Secret data.
 *
 * @example
 * ```ts
 * pods.health$.pipe(filter((h) => h.lastError instanceof DecodeError)).subscribe(console.warn);
 * ```
 */
export class DecodeError extends RxInformerError {
  readonly sample: string;
  readonly context: RequestContext;
  constructor(problem: string, payload: string, context: RequestContext) {
    const sample = describePayload(payload);
    super(`${describe(context)}: ${problem}${sample ? ` (${sample})` : ''}`, { transient: true });
    this.sample = sample;
    this.context = context;
  }
}

/** Says what a payload was without repeating it: size, and type, kind and name if present. */
function describePayload(payload: string): string {
  if (!payload) return '';
  const parts = [`${Buffer.byteLength(payload)} bytes`];
  const type = /"type"\s*:\s*"([A-Z]{1,16})"/.exec(payload)?.[1];
  const kind = /"kind"\s*:\s*"([A-Za-z]{1,63})"/.exec(payload)?.[1];
  const name = /"name"\s*:\s*"([a-z0-9][-a-z0-9.]{0,252})"/.exec(payload)?.[1];
  if (type) parts.push(`type ${type}`);
  if (kind) parts.push(`kind ${kind}`);
  if (name) parts.push(`name ${name}`);
  return parts.join(', ');
}

/**
 * Where user code runs on the cache path: a `transform`, an index function, a controller's
 * mapper, a reconcile, or an adapter's callback.
 *
 * @example
 * ```ts
 * const site: UserCodeSite = 'transform';
 * ```
 */
export type UserCodeSite = 'transform' | 'indexer' | 'mapper' | 'reconcile' | 'callback';

/**
 * User code threw (or returned something unusable) while handling one object. The object is
 * named by its key, never by its content; the throw is the `cause`. Transient: an informer keeps
 * its last good state, reports the error on `health$` and retries the list or watch with
 * backoff, as client-go fails a list whose objects it cannot store.
 *
 * @example
 * ```ts
 * pods.health$.subscribe((h) => {
 *   if (h.lastError instanceof UserCodeError) console.warn(h.lastError.site, h.lastError.objectKey);
 * });
 * ```
 */
export class UserCodeError extends RxInformerError {
  /** Which piece of user code failed. */
  readonly site: UserCodeSite;
  /** The key (`namespace/name`) of the object it was handling, when there is one. */
  readonly objectKey: string | undefined;
  /** The index, mapper, callback or informer the code belongs to, when it has a name. */
  readonly source: string | undefined;
  constructor(
    site: UserCodeSite,
    objectKey: string | undefined,
    cause: unknown,
    options: { source?: string; transient?: boolean } = {},
  ) {
    const what = options.source ? `${site} '${options.source}'` : site;
    const where = objectKey === undefined ? '' : ` on ${objectKey}`;
    const why = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(`the ${what} threw${where}: ${why}`, { transient: options.transient ?? true, cause });
    this.site = site;
    this.objectKey = objectKey;
    this.source = options.source;
  }
}

/**
 * The informer is not running: it was never started, it stopped (its last subscriber left, or
 * the factory shut down) before its cache synced. What `informer.synced` rejects with then.
 *
 * @example
 * ```ts
 * try { await pods.synced; } catch (e) { if (e instanceof InformerStoppedError) pods.start(); }
 * ```
 */
export class InformerStoppedError extends RxInformerError {
  constructor(message: string) {
    super(message, { transient: false });
  }
}

/**
 * The kubeconfig cannot be used: no current context, a context naming a missing cluster or
 * user, a cluster without a server, a file that does not parse. Fatal.
 *
 * @example
 * ```ts
 * try { createInformerFactory({ kubeConfig: kc }); } catch (e) { if (e instanceof KubeConfigError) console.error(e.message); }
 * ```
 */
export class KubeConfigError extends RxInformerError {
  constructor(message: string, cause?: unknown) {
    super(message, { transient: false, cause });
  }
}

/**
 * Builds the typed error for an HTTP error status (or a watch `ERROR` event's Status).
 *
 * @example
 * ```ts
 * const err = apiErrorFor({ kind: 'Status', code: 403, reason: 'Forbidden', message: 'no' }, { verb: 'watch', resource: 'pods' });
 * err instanceof ForbiddenError; // true
 * ```
 */
export function apiErrorFor(
  status: KubeStatus,
  context: RequestContext,
  retryAfterMs?: number,
): KubeApiError {
  switch (status.code) {
    case 401:
      return new UnauthorizedError(status, context);
    case 403:
      return new ForbiddenError(status, context);
    case 404:
      return new ResourceNotFoundError(status, context);
    case 300:
    case 301:
    case 302:
    case 303:
    case 307:
    case 308:
    case 400:
    case 406:
    case 415:
    case 422:
      return new InvalidRequestError(status, context);
    case 409:
      return new ConflictError(status, context);
    case 410:
      return new ExpiredError(status, context);
    default:
      return new ServerBusyError(status, context, retryAfterMs);
  }
}
