import type { IncomingMessage } from 'node:http';
import {
  ConnectionError,
  apiErrorFor,
  type KubeApiError,
  type KubeStatus,
  type RequestContext,
} from '../errors.js';

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** Reads `Retry-After` (seconds or an HTTP date) as milliseconds. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The `Status` of an error body; a body that is not one (an HTML page from a proxy, plain text)
 * becomes a Status with the HTTP code and the start of the text, tags stripped.
 */
export function statusFromBody(code: number, body: string): KubeStatus {
  try {
    const parsed = JSON.parse(body) as KubeStatus;
    if (parsed && typeof parsed === 'object' && parsed.kind === 'Status')
      return { ...parsed, code: parsed.code ?? code };
  } catch {
    // not JSON: described below
  }
  const text = body
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
  return {
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    code,
    reason: REASONS[code] ?? (code >= 500 ? 'InternalError' : 'Unknown'),
    message: text ? `unexpected response body: ${text}` : `HTTP ${code} with an empty body`,
  };
}

/** API servers do not redirect: one that does is a proxy or a login page, not the API. */
function redirectStatus(code: number, location: string | undefined): KubeStatus {
  let where = 'elsewhere';
  try {
    if (location) where = new URL(location, 'http://unknown').origin; // the origin only: never a query's tokens
  } catch {
    // an unparseable Location still says enough as "elsewhere"
  }
  return {
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    code,
    reason: 'Redirect',
    message: `the server redirected to ${where}: the kubeconfig's server URL does not look like a Kubernetes API server (a proxy or login page?)`,
  };
}

/** Reads an error response (at most 1 MiB of it) and turns it into the typed error. */
export function readErrorResponse(
  res: IncomingMessage,
  context: RequestContext,
  done: (error: KubeApiError) => void,
): void {
  const chunks: Buffer[] = [];
  let bytes = 0;
  const finish = () => {
    const code = res.statusCode ?? 0;
    const status =
      code >= 300 && code < 400
        ? redirectStatus(code, res.headers.location)
        : statusFromBody(code, Buffer.concat(chunks).toString('utf8'));
    done(apiErrorFor(status, context, retryAfterMs(res.headers['retry-after'])));
  };
  res.on('data', (chunk: Buffer) => {
    if (bytes < 1 << 20) chunks.push(chunk);
    bytes += chunk.length;
  });
  res.on('end', finish);
  res.on('error', finish);
}

const TLS_HINT = "check the cluster's certificate-authority in the kubeconfig";

/** Describes a socket-level failure, saying plainly when it is TLS verification. */
export function connectionError(
  error: NodeJS.ErrnoException,
  context: RequestContext,
  server: string,
): ConnectionError {
  const code = error.code ?? 'UNKNOWN';
  const tls = /CERT|TLS|SSL|SELF_SIGNED|ALTNAME|UNABLE_TO_VERIFY/.test(code);
  const message = tls
    ? `TLS verification of ${server} failed (${code}): ${error.message}; ${TLS_HINT}`
    : `cannot reach ${server} (${code}): ${error.message}`;
  return new ConnectionError(message, code, context, { tls, cause: error });
}
