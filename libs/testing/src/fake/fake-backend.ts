import type { JsonRequest, KubeBackend } from '@rxinformer/core';
import type { Observable } from 'rxjs';
import { StatusErrors } from '../api/status.js';
import type { RequestInfo, Verb } from '../request/request-info.js';
import { parseJson, parseJsonObject } from '../server/body.js';
import { mediaType } from '../server/media.js';
import {
  createObject,
  deleteObject,
  patchObject,
  updateObject,
  type ObjectTarget,
} from '../server/object-handlers.js';
import { resolveTarget, type RequestTarget } from '../server/request-target.js';
import { ObjectStore } from '../store/object-store.js';
import { decodeVersion, type StoredVersion } from '../store/stored-version.js';
import { listDocument, searchParams } from './fake-list.js';
import type { FakePipeline } from './fake-pipeline.js';

type Json = Record<string, unknown>;
type Answer = { readonly code: number; readonly body: unknown };

function verbOf(method: string, target: RequestTarget): Verb {
  if (target.kind !== 'resource') return 'discovery';
  if (method === 'GET') return target.name === undefined ? 'list' : 'get';
  if (method === 'POST') return 'create';
  if (method === 'PUT') return 'update';
  if (method === 'PATCH') return 'patch';
  return target.name === undefined ? 'deletecollection' : 'delete';
}

const bodyOf = (request: JsonRequest): Buffer => Buffer.from(request.body?.data ?? '', 'utf8');
const dryRunOf = (query: URLSearchParams): boolean => query.getAll('dryRun').includes('All');
const decoded = (target: ObjectTarget | { served: ObjectTarget['served'] }, version: StoredVersion): Json =>
  decodeVersion<Json>(target.served.head, version);

/**
 * A fake cluster's answer to `KubeClient` requests ({@link KubeBackend}): the simulator's object
 * semantics (the same create, update, patch, apply and delete functions its HTTP handlers call)
 * on its store, without HTTP. Serves objects and their `/status`; like the simulator, no
 * `/scale` and no discovery (404).
 */
export class FakeBackend implements KubeBackend {
  constructor(
    private readonly store: ObjectStore,
    private readonly pipeline: FakePipeline,
  ) {}

  requestJson<R>(request: JsonRequest): Observable<R> {
    const method = request.method ?? 'GET';
    const target = resolveTarget(this.store, request.path);
    const query = searchParams(request.query);
    const resource = target.kind === 'resource' ? target : undefined;
    const info: RequestInfo = {
      method,
      verb: verbOf(method, target),
      path: request.path,
      watch: false,
      resource: resource?.served.descriptor,
      namespace: resource?.namespace,
    };
    return this.pipeline.answer<R>(
      { info, context: request.context, name: resource?.name, subresource: resource?.subresource, query },
      () => this.route(method, target, query, request) as { code: number; body: R },
    );
  }

  private route(method: string, target: RequestTarget, query: URLSearchParams, request: JsonRequest): Answer {
    if (target.kind !== 'resource' || target.legacyWatch) throw StatusErrors.resourceNotFound();
    const { served, namespace, name, subresource } = target;
    if (subresource !== undefined && subresource !== 'status') throw StatusErrors.resourceNotFound();
    if (subresource === 'status' && !served.hasStatus) throw StatusErrors.resourceNotFound();
    const dryRun = dryRunOf(query);
    if (name === undefined) {
      if (method === 'GET')
        return { code: 200, body: listDocument(this.store, served, namespace, query, false) };
      if (method === 'POST') {
        const version = createObject(this.store, served, namespace, parseJsonObject(bodyOf(request)), dryRun);
        return { code: 201, body: decoded(target, version) };
      }
      throw StatusErrors.methodNotAllowed();
    }
    const object: ObjectTarget = { served, namespace, name, subresource };
    switch (method) {
      case 'GET': {
        const version = served.table.current(ObjectStore.key(served, namespace, name));
        if (version === undefined) throw StatusErrors.notFound(served.descriptor, name);
        return { code: 200, body: decoded(object, version) };
      }
      case 'PUT':
        return {
          code: 200,
          body: decoded(object, updateObject(this.store, object, parseJsonObject(bodyOf(request)), dryRun)),
        };
      case 'PATCH': {
        const { code, version } = patchObject(
          this.store,
          object,
          mediaType(request.body?.contentType),
          parseJson(bodyOf(request)),
          { dryRun, fieldManager: query.get('fieldManager') ?? undefined },
        );
        return { code, body: decoded(object, version) };
      }
      case 'DELETE': {
        const body = bodyOf(request);
        const options = body.toString('utf8').trim() === '' ? {} : parseJsonObject(body);
        return { code: 200, body: JSON.parse(deleteObject(this.store, object, options, dryRun)) as unknown };
      }
      default:
        throw StatusErrors.methodNotAllowed();
    }
  }
}
