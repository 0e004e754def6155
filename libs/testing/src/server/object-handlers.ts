import type { IncomingMessage, ServerResponse } from 'node:http';
import { StatusErrors } from '../api/status.js';
import { applyJsonPatch } from '../patch/json-patch.js';
import { applyMergePatch } from '../patch/merge-patch.js';
import { ObjectStore } from '../store/object-store.js';
import type { ServedResource } from '../store/served-resource.js';
import { metadataJson, type StoredVersion } from '../store/stored-version.js';
import { parseJson, parseJsonObject, readBody } from './body.js';
import { selectorPredicate, tableOf } from './list-handler.js';
import type { ListOptions } from './list-options.js';
import { mediaType, type Representation } from './media.js';
import { sendJson } from './respond.js';
import type { ServerContext } from './server-context.js';

type Json = Record<string, unknown>;

const BODY_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

/** The addressed object of a request. */
export interface ObjectTarget {
  readonly served: ServedResource;
  readonly namespace: string | undefined;
  readonly name: string;
  readonly subresource: string | undefined;
}

const decoder = (served: ServedResource) => (v: StoredVersion) => JSON.parse(served.head + v.body) as Json;
const dryRunOf = (query: URLSearchParams): boolean => query.getAll('dryRun').includes('All');

function objectResponse(
  served: ServedResource,
  version: StoredVersion,
  representation: Representation,
  rv: number,
): string {
  if (representation === 'partial')
    return `{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":${metadataJson(version)}}`;
  if (representation === 'table') return tableOf(served, version, rv);
  return served.head + version.body;
}

async function jsonBody(ctx: ServerContext, req: IncomingMessage): Promise<Json> {
  const type = mediaType(req.headers['content-type']);
  if (type !== '' && type !== 'application/json' && type !== 'application/yaml')
    throw StatusErrors.unsupportedMediaType(BODY_TYPES);
  return parseJsonObject(await readBody(req, ctx.settings.maxBodyBytes));
}

/** Checks the type meta of a request body against the endpoint (missing type meta is defaulted). */
export function checkTypeMeta(served: ServedResource, object: Json): void {
  const { kind, apiVersion } = served.descriptor;
  const bodyKind = object['kind'];
  const bodyVersion = object['apiVersion'];
  if (bodyKind !== undefined && bodyKind !== kind) {
    throw StatusErrors.badRequest(
      `${String(bodyKind)} in version "${String(bodyVersion ?? '')}" cannot be handled as a ${kind}: the kind does not match ${kind}`,
    );
  }
  if (bodyVersion !== undefined && bodyVersion !== apiVersion) {
    throw StatusErrors.badRequest(
      `the API version in the data (${String(bodyVersion)}) does not match the expected API version (${apiVersion})`,
    );
  }
}

/** Puts the URL's namespace into the body's metadata (400 when the body names another). */
export function withNamespace(served: ServedResource, object: Json, namespace: string | undefined): Json {
  const meta = { ...((object['metadata'] ?? {}) as Json) };
  if (served.descriptor.namespaced) {
    const bodyNamespace = meta['namespace'];
    if (bodyNamespace !== undefined && bodyNamespace !== '' && bodyNamespace !== namespace) {
      throw StatusErrors.badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    meta['namespace'] = namespace;
  }
  return { ...object, metadata: meta };
}

export function checkName(object: Json, name: string): void {
  const bodyName = ((object['metadata'] ?? {}) as Json)['name'];
  if (bodyName !== name)
    throw StatusErrors.badRequest(
      `the name of the object (${String(bodyName ?? '')}) does not match the name on the URL (${name})`,
    );
}

/**
 * Creates an object as a POST on its collection does, without HTTP: type meta checked, the
 * namespace taken from the target, a status dropped where a /status subresource owns it.
 */
export function createObject(
  store: ObjectStore,
  served: ServedResource,
  namespace: string | undefined,
  object: Json,
  dryRun: boolean,
): StoredVersion {
  if (served.descriptor.namespaced && namespace === undefined) throw StatusErrors.methodNotAllowed();
  checkTypeMeta(served, object);
  // Like the real strategies, a create through the main resource does not set status where a
  // /status subresource owns it (deployments, custom resources, …). Core-group objects (pods,
  // nodes, …) keep a client-sent status: tests use it to stand in for kubelets and controllers.
  if (served.hasStatus && served.descriptor.group !== '') delete object['status'];
  return store.create(served, withNamespace(served, object, namespace), { dryRun });
}

/** POST on a collection. */
export async function serveCreate(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  served: ServedResource,
  namespace: string | undefined,
  query: URLSearchParams,
): Promise<void> {
  if (served.descriptor.namespaced && namespace === undefined) throw StatusErrors.methodNotAllowed();
  const object = await jsonBody(ctx, req);
  const version = createObject(ctx.store, served, namespace, object, dryRunOf(query));
  sendJson(res, 201, served.head + version.body);
}

/** GET of one object (or its status). */
export function serveGet(
  ctx: ServerContext,
  res: ServerResponse,
  target: ObjectTarget,
  representation: Representation,
): void {
  const version = target.served.table.current(ObjectStore.key(target.served, target.namespace, target.name));
  if (version === undefined) throw StatusErrors.notFound(target.served.descriptor, target.name);
  sendJson(res, 200, objectResponse(target.served, version, representation, ctx.store.rv));
}

/** Replaces an object (or its status) as a PUT does, without HTTP. */
export function updateObject(
  store: ObjectStore,
  target: ObjectTarget,
  object: Json,
  dryRun: boolean,
): StoredVersion {
  const { served } = target;
  checkTypeMeta(served, object);
  checkName(object, target.name);
  return store.update(served, withNamespace(served, object, target.namespace), {
    scope: target.subresource === 'status' ? 'status' : 'main',
    dryRun,
    decode: decoder(served),
  });
}

/** PUT of one object (or its status). */
export async function serveUpdate(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  target: ObjectTarget,
  query: URLSearchParams,
): Promise<void> {
  const object = await jsonBody(ctx, req);
  const version = updateObject(ctx.store, target, object, dryRunOf(query));
  sendJson(res, 200, target.served.head + version.body);
}

/** The patch media types an object accepts (no strategic merge for custom resources). */
export function patchTypesOf(served: ServedResource): readonly string[] {
  return served.builtin
    ? PATCH_TYPES
    : PATCH_TYPES.filter((t) => t !== 'application/strategic-merge-patch+json');
}

/**
 * Patches an object as a PATCH does, without HTTP: JSON patch, merge patch, strategic merge
 * (applied as a merge), and server-side apply (as a merge; creates a missing object, 201).
 */
export function patchObject(
  store: ObjectStore,
  target: ObjectTarget,
  type: string,
  patch: unknown,
  options: { readonly dryRun: boolean; readonly fieldManager: string | undefined },
): { readonly code: 200 | 201; readonly version: StoredVersion } {
  const { served } = target;
  const allowed = patchTypesOf(served);
  if (!allowed.includes(type)) throw StatusErrors.unsupportedMediaType([...allowed]);
  const { dryRun } = options;
  const key = ObjectStore.key(served, target.namespace, target.name);
  const current = served.table.current(key);
  if (type === 'application/apply-patch+yaml') {
    if (!options.fieldManager) {
      throw StatusErrors.invalid('PatchOptions', 'meta.k8s.io', '', [
        {
          reason: 'FieldValueRequired',
          message: 'Required value: is required for apply patch',
          field: 'fieldManager',
        },
      ]);
    }
    if (patch === null || typeof patch !== 'object' || Array.isArray(patch))
      throw StatusErrors.badRequest('error decoding YAML: apply patch must be an object');
    checkTypeMeta(served, patch as Json);
    if (current === undefined) {
      checkName(patch as Json, target.name);
      const created = store.create(served, withNamespace(served, patch as Json, target.namespace), {
        dryRun,
      });
      return { code: 201, version: created };
    }
  }
  if (current === undefined) throw StatusErrors.notFound(served.descriptor, target.name);
  const old = decoder(served)(current);
  const patched = (
    type === 'application/json-patch+json' ? applyJsonPatch(old, patch) : applyMergePatch(old, patch)
  ) as Json;
  if (patched === null || typeof patched !== 'object' || Array.isArray(patched))
    throw StatusErrors.badRequest('the patch did not produce an object');
  const meta = (patched['metadata'] ?? {}) as Json;
  if (
    meta['name'] !== target.name ||
    (served.descriptor.namespaced && meta['namespace'] !== target.namespace)
  ) {
    throw StatusErrors.invalid(served.descriptor.kind, served.descriptor.group, target.name, [
      {
        reason: 'FieldValueInvalid',
        message: `Invalid value: "${String(meta['name'])}": field is immutable`,
        field: 'metadata.name',
      },
    ]);
  }
  const version = store.update(served, patched, {
    scope: target.subresource === 'status' ? 'status' : 'main',
    dryRun,
    decode: decoder(served),
  });
  return { code: 200, version };
}

/** PATCH of one object: JSON patch, merge patch, strategic merge (applied as a merge), and server-side apply (as a merge). */
export async function servePatch(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  target: ObjectTarget,
  query: URLSearchParams,
): Promise<void> {
  const type = mediaType(req.headers['content-type']);
  const allowed = patchTypesOf(target.served);
  if (!allowed.includes(type)) throw StatusErrors.unsupportedMediaType([...allowed]);
  const patch = parseJson(await readBody(req, ctx.settings.maxBodyBytes));
  const { code, version } = patchObject(ctx.store, target, type, patch, {
    dryRun: dryRunOf(query),
    fieldManager: query.get('fieldManager') ?? undefined,
  });
  sendJson(res, code, target.served.head + version.body);
}

/**
 * Deletes an object as a DELETE does, without HTTP, given the parsed DeleteOptions body; answers
 * with the response body: the final object for Pods and the like (or the object still waiting
 * for its finalizers), a Success Status for the rest.
 */
export function deleteObject(
  store: ObjectStore,
  target: ObjectTarget,
  options: Json,
  dryRunQuery: boolean,
): string {
  const { served } = target;
  const preconditions = (options['preconditions'] ?? {}) as { uid?: string; resourceVersion?: string };
  const dryRun =
    dryRunQuery || (Array.isArray(options['dryRun']) && (options['dryRun'] as unknown[]).includes('All'));
  const { version, deleted } = store.delete(served, target.namespace, target.name, {
    preconditions,
    dryRun,
    decode: decoder(served),
  });
  if (deleted && !served.returnsDeletedObject) {
    const { group, plural } = served.descriptor;
    const details = { name: target.name, ...(group ? { group } : {}), kind: plural, uid: version.uid };
    return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details });
  }
  return served.head + version.body;
}

/** DELETE of one object: the final object for Pods and the like, a Success Status for the rest. */
export async function serveDelete(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  target: ObjectTarget,
  query: URLSearchParams,
): Promise<void> {
  const body = await readBody(req, ctx.settings.maxBodyBytes);
  const options = body.length > 0 && body.toString('utf8').trim() !== '' ? parseJsonObject(body) : {};
  sendJson(res, 200, deleteObject(ctx.store, target, options, dryRunOf(query)));
}

/** DELETE on a collection: deletes every matching object and answers with the list of them. */
export function serveDeleteCollection(
  ctx: ServerContext,
  res: ServerResponse,
  served: ServedResource,
  namespace: string | undefined,
  options: ListOptions,
  query: URLSearchParams,
): void {
  const page = served.table.snapshot({ rv: ctx.store.rv, namespace, predicate: selectorPredicate(options) });
  const deleted: string[] = [];
  for (const item of page.items) {
    const { version } = ctx.store.delete(served, item.namespace || undefined, item.name, {
      dryRun: dryRunOf(query),
      decode: decoder(served),
    });
    deleted.push(served.itemHead + version.body);
  }
  const { kind, apiVersion } = served.descriptor;
  sendJson(
    res,
    200,
    `{"kind":${JSON.stringify(`${kind}List`)},"apiVersion":${JSON.stringify(apiVersion)},"metadata":{"resourceVersion":"${ctx.store.rv}"},"items":[${deleted.join(',')}]}`,
  );
}
