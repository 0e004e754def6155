import type { IncomingMessage, ServerResponse } from 'node:http';
import { StatusErrors, qualifiedResource, toStatusError } from '../api/status.js';
import type { RequestInfo, Verb } from '../request/request-info.js';
import type { Discovery } from './discovery.js';
import { parseListOptions } from './list-options.js';
import { serveList } from './list-handler.js';
import { goTypeName, negotiate } from './media.js';
import {
  serveCreate,
  serveDelete,
  serveDeleteCollection,
  serveGet,
  servePatch,
  serveUpdate,
  type ObjectTarget,
} from './object-handlers.js';
import { resolveTarget, type RequestTarget } from './request-target.js';
import type { RequestLog } from './request-log.js';
import { sendJson, sendStatus } from './respond.js';
import type { ServerContext } from './server-context.js';
import { serveWatch } from './watch-handler.js';

const PUBLIC = new Set<RequestTarget['kind']>(['version', 'health']);

function verbOf(method: string, target: RequestTarget, watch: boolean): Verb {
  if (target.kind !== 'resource') return 'discovery';
  if (watch || target.legacyWatch) return 'watch';
  switch (method) {
    case 'GET':
      return target.name === undefined ? 'list' : 'get';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return target.name === undefined ? 'deletecollection' : 'delete';
    default:
      return 'get';
  }
}

function authorized(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? '';
  return header.startsWith('Bearer ') && header.slice(7).trim() === token;
}

function discovery(res: ServerResponse, json: string | undefined): void {
  if (json === undefined) throw StatusErrors.resourceNotFound();
  sendJson(res, 200, json);
}

async function route(
  ctx: ServerContext,
  docs: Discovery,
  req: IncomingMessage,
  res: ServerResponse,
  target: RequestTarget,
  url: URL,
): Promise<void> {
  const method = req.method ?? 'GET';
  switch (target.kind) {
    case 'root':
      return sendJson(
        res,
        200,
        JSON.stringify({ paths: ['/api', '/api/v1', '/apis', '/healthz', '/livez', '/readyz', '/version'] }),
      );
    case 'version':
      return sendJson(res, 200, JSON.stringify(ctx.settings.version));
    case 'health':
      res.writeHead(200, {
        'Content-Type': 'text/plain; charset=utf-8',
        'X-Content-Type-Options': 'nosniff',
      });
      res.end('ok');
      return;
    case 'api':
      return discovery(res, docs.api());
    case 'apis':
      return discovery(res, docs.apis());
    case 'group':
      return discovery(res, docs.group(target.group));
    case 'groupVersion':
      return discovery(res, docs.resources(target.group, target.version));
    case 'openapi':
      return discovery(res, docs.openApi(url.pathname.replace(/\/$/, '')));
    case 'notFound':
      throw StatusErrors.resourceNotFound();
    case 'resource':
      break;
  }
  const { served, namespace, name, subresource } = target;
  if (subresource !== undefined && subresource !== 'status') throw StatusErrors.resourceNotFound();
  if (subresource === 'status' && !served.hasStatus) throw StatusErrors.resourceNotFound();
  const query = url.searchParams;
  if (name === undefined) {
    if (method === 'GET') {
      const options = parseListOptions(query, served, target.legacyWatch);
      if (options.watch) {
        const representation = negotiate(req.headers.accept, 'watch');
        return serveWatch(
          ctx,
          res,
          served,
          namespace,
          options,
          representation === 'partial' ? 'partial' : 'object',
        );
      }
      const representation = negotiate(
        req.headers.accept,
        'list',
        goTypeName({ ...served.descriptor, builtin: served.builtin }, true),
      );
      return serveList(res, served, ctx.store.rv, namespace, options, representation);
    }
    if (method === 'POST') return serveCreate(ctx, req, res, served, namespace, query);
    if (method === 'DELETE')
      return serveDeleteCollection(
        ctx,
        res,
        served,
        namespace,
        parseListOptions(query, served, false),
        query,
      );
    throw StatusErrors.methodNotAllowed();
  }
  if (target.legacyWatch) throw StatusErrors.resourceNotFound();
  const object: ObjectTarget = { served, namespace, name, subresource };
  switch (method) {
    case 'GET':
      if (query.get('watch') === 'true' || query.get('watch') === '1') throw StatusErrors.methodNotAllowed();
      return serveGet(
        ctx,
        res,
        object,
        negotiate(
          req.headers.accept,
          'object',
          goTypeName({ ...served.descriptor, builtin: served.builtin }, false),
        ),
      );
    case 'PUT':
      return serveUpdate(ctx, req, res, object, query);
    case 'PATCH':
      return servePatch(ctx, req, res, object, query);
    case 'DELETE':
      return serveDelete(ctx, req, res, object, query);
    default:
      throw StatusErrors.methodNotAllowed();
  }
}

/**
 * The request pipeline: log, injected latency and failures, bearer-token auth, routing; any
 * exception becomes a Status response (unknown ones a 500 InternalError), never a crash.
 */
export function requestHandler(
  ctx: ServerContext,
  docs: Discovery,
  log: RequestLog,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void (async () => {
      const method = req.method ?? 'GET';
      let url: URL;
      let target: RequestTarget;
      try {
        url = new URL(req.url ?? '/', 'https://127.0.0.1');
        target = resolveTarget(ctx.store, url.pathname);
      } catch {
        url = new URL('https://127.0.0.1/');
        target = { kind: 'notFound' };
      }
      const watch =
        url.searchParams.get('watch') === 'true' ||
        url.searchParams.get('watch') === '1' ||
        (target.kind === 'resource' && target.legacyWatch);
      const info: RequestInfo = {
        method,
        verb: verbOf(method, target, watch && method === 'GET'),
        path: url.pathname,
        watch: watch && method === 'GET',
        resource: target.kind === 'resource' ? target.served.descriptor : undefined,
        namespace: target.kind === 'resource' ? target.namespace : undefined,
      };
      const entry = log.record(
        {
          ...info,
          query: Object.fromEntries(url.searchParams),
          userAgent: req.headers['user-agent'] ?? '',
          resource: info.resource === undefined ? undefined : qualifiedResource(info.resource),
          status: 0,
          at: Date.now(),
        },
        info,
      );
      const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
      res.writeHead = ((code: number, ...rest: unknown[]) => {
        entry.status = code;
        return writeHead(code, ...rest);
      }) as typeof res.writeHead;
      try {
        const { delayMs, failure } = ctx.faults.beforeRequest(info);
        if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
        if (failure !== undefined) throw failure;
        if (!PUBLIC.has(target.kind) && !authorized(req, ctx.settings.token))
          throw StatusErrors.unauthorized();
        await route(ctx, docs, req, res, target, url);
      } catch (error) {
        const status = toStatusError(error);
        if (res.headersSent) {
          // A failure after streaming began (a list cut short): end the connection, as the real server would.
          res.destroy();
          return;
        }
        sendStatus(res, status);
      }
    })();
  };
}
