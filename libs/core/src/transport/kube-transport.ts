import type { KubeConfig } from '@kubernetes/client-node';
import { Observable } from 'rxjs';
import { DecodeError, ForbiddenError, type RequestContext } from '../errors.js';
import type { KubeObject } from '../resources/kube-object.js';
import { resourceName, resourcePath, type ResourceDescriptor } from '../resources/resource.js';
import { send, type HttpEndpoint } from './http-request.js';
import { kubeConfigTarget } from './kubeconfig-target.js';
import { decodeList } from './list-decoder.js';
import { collectBody } from './response-body.js';
import { TlsAgentPool } from './tls-agent.js';
import type { ListPage, ListParams, ListerWatcher, WatchEvent, WatchParams } from './types.js';
import { decodeWatch } from './watch-decoder.js';

const ACCEPT_JSON = 'application/json';
const ACCEPT_META_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
const ACCEPT_META = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';

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
 * One request of {@link KubeTransport.requestJson}: method, path below the server URL, query,
 * an optional body, and the context every error of it names.
 *
 * @example
 * ```ts
 * const get: JsonRequest = { path: '/api/v1/namespaces/shop/pods/web-1', query: {}, context: { verb: 'get', resource: 'pods', namespace: 'shop' } };
 * ```
 */
export interface JsonRequest {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  /** Query parameters; undefined and empty values are left out. */
  readonly query: Readonly<Record<string, string | undefined>>;
  /** A body as JSON text with its media type. */
  readonly body?: { readonly data: string; readonly contentType: string };
  readonly context: RequestContext;
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
  private readonly endpoint: HttpEndpoint;
  private readonly timeoutMs: number;

  constructor(kubeConfig: KubeConfig, options: TransportOptions = {}) {
    const { server, proxied } = kubeConfigTarget(kubeConfig);
    this.server = server;
    this.endpoint = {
      kubeConfig,
      server,
      proxied,
      agents: new TlsAgentPool(),
      userAgent: options.userAgent ?? 'rxinformer/0.1',
    };
    this.timeoutMs = options.requestTimeoutMs ?? 60_000;
  }

  /**
   * A {@link ListerWatcher} for one resource and scope. A streaming list (a watch with
   * `sendInitialEvents`) is a list: its errors name the verb `list`, except a 403, which names
   * the verb RBAC refused (`watch`).
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
    const where = { resource: resourceName(resource), namespace: scope.namespace };
    const listContext: RequestContext = { verb: 'list', ...where };
    const watchContext: RequestContext = { verb: 'watch', ...where };
    const selectors = { labelSelector: scope.labelSelector, fieldSelector: scope.fieldSelector };
    const apiVersion = scope.metadataOnly ? 'meta.k8s.io/v1' : resource.apiVersion;
    const kind = scope.metadataOnly ? 'PartialObjectMetadata' : resource.kind;
    return {
      list: (params: ListParams) =>
        new Observable<ListPage<T>>((subscriber) =>
          send(
            this.endpoint,
            {
              path,
              query: { ...selectors, ...stringify(params) },
              accept: scope.metadataOnly ? ACCEPT_META_LIST : ACCEPT_JSON,
              context: listContext,
              timeoutMs: this.timeoutMs,
            },
            subscriber,
            (res) =>
              collectBody(res, listContext, subscriber, (body) => {
                let page: ListPage<T>;
                try {
                  page = decodeList<T>(body, apiVersion, kind, listContext);
                } catch (e) {
                  return subscriber.error(e);
                }
                subscriber.next(page);
                subscriber.complete();
              }),
          ),
        ),
      watch: (params: WatchParams) => {
        const streaming = params.sendInitialEvents === true;
        const context = streaming ? listContext : watchContext;
        return new Observable<WatchEvent<T>>((subscriber) => {
          // RBAC authorizes a streaming list as a watch: a 403 names the verb to grant.
          const sink = streaming
            ? {
                error: (e: unknown) =>
                  subscriber.error(
                    e instanceof ForbiddenError ? new ForbiddenError(e.status, watchContext) : e,
                  ),
              }
            : subscriber;
          return send(
            this.endpoint,
            {
              path,
              query: { ...selectors, watch: '1', ...stringify(params) },
              accept: scope.metadataOnly ? ACCEPT_META : ACCEPT_JSON,
              context,
              timeoutMs: 0,
            },
            sink,
            (res) => decodeWatch(res, subscriber, context, this.server.origin),
          );
        });
      },
    };
  }

  /**
   * GETs a JSON document, such as a discovery document.
   *
   * @example
   * ```ts
   * const ctx: RequestContext = { verb: 'get', resource: 'version' };
   * const version = await firstValueFrom(transport.getJson<{ gitVersion: string }>('/version', ctx));
   * ```
   */
  getJson<R>(path: string, context: RequestContext): Observable<R> {
    return this.requestJson<R>({ path, query: {}, context });
  }

  /**
   * Sends one request and decodes its JSON answer: the one way this library talks to the API
   * server besides LIST and WATCH (the client's writes go through it). An error status
   * arrives as the typed error, a body that is not JSON as {@link DecodeError}. Cold:
   * subscribing sends, unsubscribing aborts.
   *
   * @example
   * ```ts
   * const cm = await firstValueFrom(
   *   transport.requestJson<KubeObject>({
   *     method: 'PATCH', path: '/api/v1/namespaces/shop/configmaps/web', query: {},
   *     body: { data: '{"data":{"a":"1"}}', contentType: 'application/merge-patch+json' },
   *     context: { verb: 'patch', resource: 'configmaps', namespace: 'shop' },
   *   }),
   * );
   * ```
   */
  requestJson<R>(request: JsonRequest): Observable<R> {
    const { context } = request;
    return new Observable<R>((subscriber) =>
      send(this.endpoint, { ...request, accept: ACCEPT_JSON, timeoutMs: this.timeoutMs }, subscriber, (res) =>
        collectBody(res, context, subscriber, (body) => {
          let document: R;
          try {
            document = JSON.parse(body.toString('utf8')) as R;
          } catch {
            return subscriber.error(
              new DecodeError('the response is not JSON', body.toString('utf8', 0, 200), context),
            );
          }
          subscriber.next(document);
          subscriber.complete();
        }),
      ),
    );
  }

  /** Closes every pooled connection. */
  destroy(): void {
    this.endpoint.agents.destroy();
  }
}

function stringify(params: object): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(params)) if (value !== undefined) out[key] = String(value);
  return out;
}
