import * as http from 'node:http';
import * as https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { ConnectionError, KubeConfigError, type RequestContext } from '../errors.js';
import { connectionError, readErrorResponse } from './http-errors.js';
import type { TlsAgentPool } from './tls-agent.js';

/** Where requests go and as whom: fixed for a transport's lifetime. */
export interface HttpEndpoint {
  /** Supplies credentials and TLS material per request (tokens and certificates may rotate). */
  readonly kubeConfig: KubeConfig;
  readonly server: URL;
  /** Behind a proxy client-node brings its own agent, so none of ours is pooled. */
  readonly proxied: boolean;
  readonly agents: TlsAgentPool;
  readonly userAgent: string;
}

/** One request to the API server. */
export interface HttpRequest {
  /** `GET` unless said otherwise. */
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The path below the server URL's own path, such as `/api/v1/pods`. */
  readonly path: string;
  /** Query parameters; undefined and empty values are left out. */
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly accept: string;
  /** Named in every error of the request. */
  readonly context: RequestContext;
  /** Fails the request when the socket is idle this long; 0 for none (a watch). */
  readonly timeoutMs: number;
  /** The request body, sent with `contentType`. */
  readonly body?: { readonly data: string; readonly contentType: string } | undefined;
}

/**
 * Sends a request: applies the kubeconfig's credentials, reuses a pooled agent, and calls `onOk`
 * with a 2xx response. Anything else reaches `sink.error` as a typed error: an error status
 * with its `Status`, a socket or TLS failure as {@link ConnectionError}, credentials that cannot
 * be obtained or sent as {@link KubeConfigError}. Returns the teardown, which aborts the request.
 */
export function send(
  endpoint: HttpEndpoint,
  request: HttpRequest,
  sink: { error(e: unknown): void },
  onOk: (res: http.IncomingMessage) => void,
): () => void {
  const { server } = endpoint;
  const { context, timeoutMs, body } = request;
  let req: http.ClientRequest | undefined;
  let cancelled = false;
  const secure = server.protocol === 'https:';
  const options: https.RequestOptions = {
    method: request.method ?? 'GET',
    protocol: server.protocol,
    hostname: server.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: server.port || (secure ? 443 : 80),
    path: requestPath(server, request),
    headers: {
      Accept: request.accept,
      'User-Agent': endpoint.userAgent,
      ...(body ? { 'Content-Type': body.contentType, 'Content-Length': Buffer.byteLength(body.data) } : {}),
    },
  };
  endpoint.kubeConfig.applyToHTTPSOptions(options).then(
    () => {
      if (cancelled) return;
      if (!endpoint.proxied) options.agent = endpoint.agents.agentFor(options, secure);
      try {
        req = (secure ? https : http).request(options, (res) => {
          if (cancelled) return void res.destroy();
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 300) onOk(res);
          else readErrorResponse(res, context, (error) => sink.error(error));
        });
        req.on('error', (e: NodeJS.ErrnoException) => {
          if (!cancelled) sink.error(connectionError(e, context, server.origin));
        });
        if (timeoutMs > 0) {
          req.setTimeout(timeoutMs, () => {
            sink.error(new ConnectionError(`no response for ${timeoutMs} ms`, 'TIMEOUT', context));
            req?.destroy();
          });
        }
        req.end(body?.data);
      } catch (cause) {
        // Node refuses header values with characters HTTP cannot carry (a token with a newline).
        const problem =
          (cause as NodeJS.ErrnoException).code === 'ERR_INVALID_CHAR'
            ? 'the credentials cannot be sent: a header value (such as the bearer token) contains characters HTTP does not allow, often a trailing newline'
            : `the request could not be built: ${(cause as Error).message}`;
        sink.error(new KubeConfigError(problem, cause));
      }
    },
    (cause: unknown) => {
      if (!cancelled) {
        sink.error(
          new KubeConfigError(
            `could not get credentials from the kubeconfig: ${(cause as Error)?.message ?? cause}`,
            cause,
          ),
        );
      }
    },
  );
  return () => {
    cancelled = true;
    req?.destroy();
  };
}

function requestPath(server: URL, request: HttpRequest): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(request.query))
    if (value !== undefined && value !== '') search.set(key, value);
  const base = server.pathname.replace(/\/$/, '');
  const qs = search.toString();
  return `${base}${request.path}${qs ? `?${qs}` : ''}`;
}
