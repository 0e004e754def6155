import * as http from 'node:http';
import * as https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { Observable } from 'rxjs';
import { ConnectionError, DecodeError, KubeConfigError, type RequestContext, type Verb } from '../errors.js';
import type { KubeObject } from '../resources/kube-object.js';
import { resourceName, resourcePath, type ResourceDescriptor } from '../resources/resource.js';
import { connectionError, readErrorResponse } from './http-errors.js';
import { LineDecoder } from './line-decoder.js';
import { TlsAgentPool } from './tls-agent.js';
import type { ListPage, ListParams, ListerWatcher, WatchEvent, WatchParams } from './types.js';

const ACCEPT_JSON = 'application/json';
const ACCEPT_META_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
const ACCEPT_META = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';
const WATCH_TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

/**
 * Options of the HTTP transport.
 *
 * @example
 * ```ts
 * new KubeTransport(kc, { requestTimeoutMs: 120_000, userAgent: 'my-operator/1.0' });
 * ```
 */
export interface TransportOptions {
  /** A LIST (or discovery) request that sends nothing for this long fails (default 60 s). */
  requestTimeoutMs?: number;
  userAgent?: string;
}

/**
 * Which objects a lister-watcher reads.
 *
 * @example
 * ```ts
 * transport.listerWatcher(Pods, { namespace: 'shop', labelSelector: 'app=web', metadataOnly: false });
 * ```
 */
export interface TransportScope {
  namespace?: string | undefined;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  metadataOnly?: boolean | undefined;
}

/**
 * HTTP to one API server: auth and TLS from a client-node `KubeConfig` (tokens, client
 * certificates, exec plugins, OIDC, in-cluster), paginated LIST, and WATCH as newline-framed
 * JSON, with failures turned into typed errors. Throws {@link KubeConfigError} at construction
 * if the kubeconfig has no usable current context.
 *
 * @example
 * ```ts
 * const transport = new KubeTransport(kc);
 * const lw = transport.listerWatcher(Pods, { namespace: 'shop' });
 * lw.list({ limit: 500 }).subscribe((page) => console.log(page.items.length));
 * ```
 */
export class KubeTransport {
  /** The API server's base URL. */
  readonly server: URL;
  private readonly agents = new TlsAgentPool();
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private readonly proxied: boolean;

  constructor(
    private readonly kubeConfig: KubeConfig,
    options: TransportOptions = {},
  ) {
    const contextName = kubeConfig.getCurrentContext();
    if (!contextName)
      throw new KubeConfigError(
        'the kubeconfig has no current context: set current-context or pass a context',
      );
    const context = kubeConfig.getContextObject(contextName);
    if (!context)
      throw new KubeConfigError(`the kubeconfig's current context "${contextName}" is not defined`);
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster)
      throw new KubeConfigError(
        `context "${contextName}" names cluster "${context.cluster}", which the kubeconfig does not define`,
      );
    if (context.user && !kubeConfig.getCurrentUser()) {
      throw new KubeConfigError(
        `context "${contextName}" names user "${context.user}", which the kubeconfig does not define`,
      );
    }
    if (!cluster.server) throw new KubeConfigError(`cluster "${cluster.name}" has no server URL`);
    try {
      this.server = new URL(cluster.server);
    } catch (cause) {
      throw new KubeConfigError(`cluster "${cluster.name}" has an invalid server URL`, cause);
    }
    if (this.server.protocol !== 'https:' && this.server.protocol !== 'http:') {
      throw new KubeConfigError(
        `cluster "${cluster.name}" server must be http(s), not ${this.server.protocol}`,
      );
    }
    this.proxied = Boolean(cluster.proxyUrl);
    this.timeoutMs = options.requestTimeoutMs ?? 60_000;
    this.userAgent = options.userAgent ?? 'rxinformer/0.1';
  }

  /**
   * A {@link ListerWatcher} for one resource and scope.
   *
   * @example
   * ```ts
   * const lw = transport.listerWatcher(ConfigMaps, { namespace: 'shop', metadataOnly: true });
   * ```
   */
  listerWatcher<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    scope: TransportScope = {},
  ): ListerWatcher<T> {
    const path = resourcePath(resource, scope.namespace);
    const context = (verb: Verb): RequestContext => ({
      verb,
      resource: resourceName(resource),
      namespace: scope.namespace,
    });
    const selectors: Record<string, string | undefined> = {
      labelSelector: scope.labelSelector,
      fieldSelector: scope.fieldSelector,
    };
    const apiVersion = scope.metadataOnly ? 'meta.k8s.io/v1' : resource.apiVersion;
    const kind = scope.metadataOnly ? 'PartialObjectMetadata' : resource.kind;
    return {
      list: (params: ListParams) =>
        this.listPage<T>(
          path,
          { ...selectors, ...stringify(params) },
          scope.metadataOnly ? ACCEPT_META_LIST : ACCEPT_JSON,
          context('list'),
          apiVersion,
          kind,
        ),
      watch: (params: WatchParams) =>
        this.watchStream<T>(
          path,
          { ...selectors, watch: '1', ...stringify(params) },
          scope.metadataOnly ? ACCEPT_META : ACCEPT_JSON,
          context('watch'),
        ),
    };
  }

  /**
   * GETs a JSON document, such as a discovery document.
   *
   * @example
   * ```ts
   * const version = await firstValueFrom(transport.getJson<{ gitVersion: string }>('/version', ctx));
   * ```
   */
  getJson<R>(path: string, context: RequestContext): Observable<R> {
    return new Observable<R>((subscriber) =>
      this.send(path, {}, ACCEPT_JSON, context, this.timeoutMs, subscriber, (res) =>
        collect(
          res,
          (body) => {
            try {
              subscriber.next(JSON.parse(body.toString('utf8')) as R);
              subscriber.complete();
            } catch {
              subscriber.error(
                new DecodeError('the response is not JSON', body.toString('utf8', 0, 200), context),
              );
            }
          },
          subscriber,
          context,
        ),
      ),
    );
  }

  /** Closes every pooled connection. */
  destroy(): void {
    this.agents.destroy();
  }

  private listPage<T extends KubeObject>(
    path: string,
    query: Record<string, string | undefined>,
    accept: string,
    context: RequestContext,
    apiVersion: string,
    kind: string,
  ): Observable<ListPage<T>> {
    return new Observable<ListPage<T>>((subscriber) =>
      this.send(path, query, accept, context, this.timeoutMs, subscriber, (res) =>
        collect(
          res,
          (body) => {
            let page: ListPage<T>;
            try {
              page = decodeList<T>(body, apiVersion, kind);
            } catch (e) {
              subscriber.error(
                new DecodeError(
                  `the LIST response could not be decoded: ${e instanceof SyntaxError ? 'it is not valid JSON' : (e as Error).message}`,
                  body.toString('utf8', 0, 4096),
                  context,
                ),
              );
              return;
            }
            subscriber.next(page);
            subscriber.complete();
          },
          subscriber,
          context,
        ),
      ),
    );
  }

  private watchStream<T extends KubeObject>(
    path: string,
    query: Record<string, string | undefined>,
    accept: string,
    context: RequestContext,
  ): Observable<WatchEvent<T>> {
    return new Observable<WatchEvent<T>>((subscriber) =>
      this.send(path, query, accept, context, 0, subscriber, (res) => {
        const decoder = new LineDecoder();
        const onLine = (line: string) => {
          let event: WatchEvent<T>;
          try {
            event = JSON.parse(line) as WatchEvent<T>;
          } catch {
            throw new DecodeError('a watch line is not JSON', line, context);
          }
          if (
            event === null ||
            typeof event !== 'object' ||
            !WATCH_TYPES.has(event.type) ||
            typeof event.object !== 'object' ||
            event.object === null
          ) {
            throw new DecodeError('a watch line is not a watch event', line, context);
          }
          subscriber.next(event);
        };
        res.on('data', (chunk: Buffer) => {
          if (subscriber.closed) return;
          try {
            decoder.push(chunk, onLine);
          } catch (e) {
            subscriber.error(
              e instanceof DecodeError ? e : new DecodeError((e as Error).message, decoder.sample(), context),
            );
            res.destroy();
          }
        });
        res.on('end', () => {
          if (decoder.buffered > 0)
            subscriber.error(
              new DecodeError('the watch stream ended in the middle of a line', decoder.sample(), context),
            );
          else subscriber.complete();
        });
        res.on('error', (e) => subscriber.error(connectionError(e, context, this.server.origin)));
        res.on('aborted', () =>
          subscriber.error(
            new ConnectionError('the watch connection was closed mid-stream', 'ECONNRESET', context),
          ),
        );
      }),
    );
  }

  /** Sends a GET; calls `onOk` with a 2xx response, errors the subscriber otherwise. Returns the teardown. */
  private send(
    path: string,
    query: Record<string, string | undefined>,
    accept: string,
    context: RequestContext,
    timeoutMs: number,
    subscriber: { error(e: unknown): void; readonly closed: boolean },
    onOk: (res: http.IncomingMessage) => void,
  ): () => void {
    let request: http.ClientRequest | undefined;
    let cancelled = false;
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query))
      if (value !== undefined && value !== '') search.set(key, value);
    const base = this.server.pathname.replace(/\/$/, '');
    const qs = search.toString();
    const secure = this.server.protocol === 'https:';
    const options: https.RequestOptions = {
      method: 'GET',
      protocol: this.server.protocol,
      hostname: this.server.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: this.server.port || (secure ? 443 : 80),
      path: `${base}${path}${qs ? `?${qs}` : ''}`,
      headers: { Accept: accept, 'User-Agent': this.userAgent },
    };
    this.kubeConfig.applyToHTTPSOptions(options).then(
      () => {
        if (cancelled) return;
        if (!this.proxied) options.agent = this.agents.agentFor(options, secure);
        try {
          request = (secure ? https : http).request(options, (res) => {
            if (cancelled) return void res.destroy();
            const code = res.statusCode ?? 0;
            if (code >= 200 && code < 300) onOk(res);
            else readErrorResponse(res, context, (error) => subscriber.error(error));
          });
          request.on('error', (e: NodeJS.ErrnoException) => {
            if (!cancelled) subscriber.error(connectionError(e, context, this.server.origin));
          });
          if (timeoutMs > 0) {
            request.setTimeout(timeoutMs, () => {
              subscriber.error(new ConnectionError(`no response for ${timeoutMs} ms`, 'TIMEOUT', context));
              request?.destroy();
            });
          }
          request.end();
        } catch (cause) {
          // Node refuses header values with characters HTTP cannot carry (a token with a newline).
          const problem =
            (cause as NodeJS.ErrnoException).code === 'ERR_INVALID_CHAR'
              ? 'the credentials cannot be sent: a header value (such as the bearer token) contains characters HTTP does not allow, often a trailing newline'
              : `the request could not be built: ${(cause as Error).message}`;
          subscriber.error(new KubeConfigError(problem, cause));
        }
      },
      (cause: unknown) => {
        if (!cancelled) {
          subscriber.error(
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
      request?.destroy();
    };
  }
}

function stringify(params: object): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(params)) if (value !== undefined) out[key] = String(value);
  return out;
}

function collect(
  res: http.IncomingMessage,
  done: (body: Buffer) => void,
  subscriber: { error(e: unknown): void },
  context: RequestContext,
): void {
  const chunks: Buffer[] = [];
  let complete = false;
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => {
    complete = true;
    done(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  });
  res.on('aborted', () =>
    subscriber.error(
      new ConnectionError('the connection was closed before the response ended', 'ECONNRESET', context),
    ),
  );
  res.on('error', (e: NodeJS.ErrnoException) => {
    if (!complete)
      subscriber.error(
        new ConnectionError(`the response failed: ${e.message}`, e.code ?? 'ECONNRESET', context, {
          cause: e,
        }),
      );
  });
}

interface ListBody<T> {
  metadata?: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items?: T[] | null;
}

function decodeList<T extends KubeObject>(body: Buffer, apiVersion: string, kind: string): ListPage<T> {
  const list = JSON.parse(body.toString('utf8')) as ListBody<T>;
  if (list === null || typeof list !== 'object') throw new Error('not an object');
  const items = list.items ?? [];
  if (!Array.isArray(items)) throw new Error('items is not an array');
  const resourceVersion = list.metadata?.resourceVersion;
  if (typeof resourceVersion !== 'string') throw new Error('the list has no metadata.resourceVersion');
  for (const item of items) {
    if (item === null || typeof item !== 'object') throw new Error('an item is not an object');
    // List items come without type meta; cached objects should look like watched ones.
    item.apiVersion ??= apiVersion;
    item.kind ??= kind;
  }
  return {
    items,
    resourceVersion,
    continue: list.metadata?.continue || undefined,
    remainingItemCount: list.metadata?.remainingItemCount,
  };
}
