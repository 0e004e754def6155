import type { KubeStatus, RequestContext, Verb } from '../errors.js';
import type { KubeObject } from '../resources/kube-object.js';
import { resourceName, resourcePath, type ResourceDescriptor } from '../resources/resource.js';
import type { JsonRequest } from '../transport/kube-transport.js';
import { listPage } from '../transport/list-decoder.js';
import type { ListPage } from '../transport/types.js';
import type { ResourceClient, Scale } from './resource-client.js';
import type { Write } from './write.js';
import {
  PATCH_CONTENT_TYPE,
  type ApplyOptions,
  type ClientListOptions,
  type DeleteOptions,
  type Patch,
  type RequestOptions,
  type WriteOptions,
} from './write-options.js';

/** How a {@link ResourceClient} sends: one JSON request, with retries and abort handled. */
export type JsonSender = <R>(request: JsonRequest, signal: AbortSignal | undefined) => Promise<R>;

/** What a request is about: where it goes and what its errors name. */
interface Target {
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly subresource?: 'status' | 'scale' | undefined;
}

/** The {@link ResourceClient} of a {@link KubeClient}: requests of one resource, and their records. */
export class TypedResourceClient<T extends KubeObject> implements ResourceClient<T> {
  constructor(
    readonly resource: ResourceDescriptor<T>,
    readonly namespace: string | undefined,
    private readonly sendJson: JsonSender,
    private readonly record: (write: Write) => void,
  ) {
    if (namespace && !resource.namespaced)
      throw new TypeError(`${resource.kind} is cluster-scoped: a client for it cannot have a namespace`);
  }

  async get(name: string, options: RequestOptions = {}): Promise<T> {
    return this.call<T>('get', 'GET', this.target(name, options.namespace), {}, undefined, options);
  }

  async list(options: ClientListOptions = {}): Promise<ListPage<T>> {
    const namespace = this.resource.namespaced ? (options.namespace ?? this.namespace) : undefined;
    const query = {
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
      limit: options.limit === undefined ? undefined : String(options.limit),
      continue: options.continue,
      resourceVersion: options.resourceVersion,
      resourceVersionMatch: options.resourceVersionMatch,
    };
    const context = this.context('list', namespace);
    const list = await this.sendJson<unknown>(
      { path: resourcePath(this.resource, namespace), query, context },
      options.signal,
    );
    return listPage<T>(list, this.resource.apiVersion, this.resource.kind, context);
  }

  async create(object: T, options: WriteOptions = {}): Promise<T> {
    const target = this.target(undefined, options.namespace, object);
    return this.written(
      await this.call<T>('create', 'POST', target, writeQuery(options), this.json(object), options),
      options,
    );
  }

  async update(object: T, options: WriteOptions = {}): Promise<T> {
    const target = this.target(nameOf(object), options.namespace, object);
    return this.written(
      await this.call<T>('update', 'PUT', target, writeQuery(options), this.json(object), options),
      options,
    );
  }

  async patch(name: string, patch: Patch, options: WriteOptions = {}): Promise<T> {
    const target = this.target(name, options.namespace);
    return this.written(
      await this.call<T>('patch', 'PATCH', target, writeQuery(options), patchBody(patch), options),
      options,
    );
  }

  async apply(object: T, options: ApplyOptions): Promise<T> {
    return this.written(await this.applyTo(object, options, undefined), options);
  }

  async delete(nameOrObject: string | T, options: DeleteOptions = {}): Promise<T | undefined> {
    const known = typeof nameOrObject === 'string' ? undefined : nameOrObject.metadata;
    const name = typeof nameOrObject === 'string' ? nameOrObject : nameOf(nameOrObject);
    const target = this.target(
      name,
      options.namespace,
      typeof nameOrObject === 'string' ? undefined : nameOrObject,
    );
    const body = {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      ...(options.preconditions ? { preconditions: options.preconditions } : {}),
      ...(options.propagationPolicy ? { propagationPolicy: options.propagationPolicy } : {}),
      ...(options.gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds: options.gracePeriodSeconds }),
      ...(options.dryRun ? { dryRun: ['All'] } : {}),
    };
    const answer = await this.call<T | KubeStatus>(
      'delete',
      'DELETE',
      target,
      {},
      { data: JSON.stringify(body), contentType: 'application/json' },
      options,
    );
    const status = answer.kind === 'Status' ? (answer as KubeStatus) : undefined;
    const object = status ? undefined : (answer as T);
    const meta = object?.metadata;
    // Still there when the server only marked it: finalizers to run, or a grace period to wait.
    const marked =
      meta?.deletionTimestamp !== undefined &&
      ((meta.finalizers?.length ?? 0) > 0 || (meta.deletionGracePeriodSeconds ?? 0) > 0);
    if (!options.dryRun) {
      this.record({
        resource: this.resource,
        namespace: target.namespace,
        name,
        uid: meta?.uid ?? status?.details?.uid ?? options.preconditions?.uid ?? known?.uid,
        resourceVersion: meta?.resourceVersion ?? known?.resourceVersion,
        deleted: !marked,
        object: marked ? object : undefined,
      });
    }
    return marked ? object : undefined;
  }

  async updateStatus(object: T, options: WriteOptions = {}): Promise<T> {
    const target = {
      ...this.target(nameOf(object), options.namespace, object),
      subresource: 'status' as const,
    };
    return this.written(
      await this.call<T>('update', 'PUT', target, writeQuery(options), this.json(object), options),
      options,
    );
  }

  async patchStatus(name: string, patch: Patch, options: WriteOptions = {}): Promise<T> {
    const target = { ...this.target(name, options.namespace), subresource: 'status' as const };
    return this.written(
      await this.call<T>('patch', 'PATCH', target, writeQuery(options), patchBody(patch), options),
      options,
    );
  }

  async applyStatus(object: T, options: ApplyOptions): Promise<T> {
    return this.written(await this.applyTo(object, options, 'status'), options);
  }

  async getScale(name: string, options: RequestOptions = {}): Promise<Scale> {
    const target = { ...this.target(name, options.namespace), subresource: 'scale' as const };
    return this.call<Scale>('get', 'GET', target, {}, undefined, options);
  }

  async updateScale(name: string, scale: Scale, options: WriteOptions = {}): Promise<Scale> {
    const target = { ...this.target(name, options.namespace), subresource: 'scale' as const };
    const body = { apiVersion: 'autoscaling/v1', kind: 'Scale', ...scale };
    const answer = await this.call<Scale>(
      'update',
      'PUT',
      target,
      writeQuery(options),
      {
        data: JSON.stringify(body),
        contentType: 'application/json',
      },
      options,
    );
    return this.scaled(target, answer, options);
  }

  async patchScale(name: string, patch: Patch, options: WriteOptions = {}): Promise<Scale> {
    const target = { ...this.target(name, options.namespace), subresource: 'scale' as const };
    const answer = await this.call<Scale>(
      'patch',
      'PATCH',
      target,
      writeQuery(options),
      patchBody(patch),
      options,
    );
    return this.scaled(target, answer, options);
  }

  private applyTo(object: T, options: ApplyOptions, subresource: 'status' | undefined): Promise<T> {
    if (!options.fieldManager)
      throw new TypeError('server-side apply needs a fieldManager: the name of who owns the applied fields');
    const target = { ...this.target(nameOf(object), options.namespace, object), subresource };
    const query = { ...writeQuery(options), force: options.force ? 'true' : undefined };
    const body = { data: JSON.stringify(this.typed(object)), contentType: PATCH_CONTENT_TYPE.apply };
    return this.call<T>('patch', 'PATCH', target, query, body, options);
  }

  /** Records a write of the scale subresource as a write of its object, whose version it carries. */
  private scaled(target: Target, answer: Scale, options: WriteOptions): Scale {
    if (!options.dryRun) {
      this.record({
        resource: this.resource,
        namespace: target.namespace,
        name: target.name ?? '',
        uid: answer.metadata?.uid,
        resourceVersion: answer.metadata?.resourceVersion,
        deleted: false,
        object: undefined,
      });
    }
    return answer;
  }

  private written(object: T, options: WriteOptions): T {
    if (options.dryRun) return object;
    const meta = object.metadata;
    this.record({
      resource: this.resource,
      namespace: meta?.namespace || undefined,
      name: meta?.name ?? '',
      uid: meta?.uid,
      resourceVersion: meta?.resourceVersion,
      deleted: false,
      object,
    });
    return object;
  }

  private call<R>(
    verb: Verb,
    method: NonNullable<JsonRequest['method']>,
    target: Target,
    query: Record<string, string | undefined>,
    body: JsonRequest['body'],
    options: RequestOptions,
  ): Promise<R> {
    let path = resourcePath(this.resource, target.namespace);
    if (target.name !== undefined) path += `/${encodeURIComponent(target.name)}`;
    if (target.subresource) path += `/${target.subresource}`;
    const context = this.context(verb, target.namespace, target.subresource);
    return this.sendJson<R>({ method, path, query, context, ...(body ? { body } : {}) }, options.signal);
  }

  private context(verb: Verb, namespace: string | undefined, subresource?: string): RequestContext {
    const resource = resourceName(this.resource);
    return { verb, resource: subresource ? `${resource}/${subresource}` : resource, namespace };
  }

  /** Where a request about one object goes; a missing or contradicting namespace is a TypeError. */
  private target(name: string | undefined, option: string | undefined, object?: T): Target {
    if (name === '') throw new TypeError(`a ${this.resource.kind} needs a name: metadata.name is empty`);
    const own = object?.metadata?.namespace || undefined;
    if (!this.resource.namespaced) {
      if (own || option)
        throw new TypeError(
          `${this.resource.kind} is cluster-scoped: '${own ?? option}' cannot be its namespace`,
        );
      return { namespace: undefined, name };
    }
    const named = [own, option, this.namespace].filter((n): n is string => !!n);
    const namespace = named[0];
    if (namespace === undefined)
      throw new TypeError(
        `${this.resource.kind} is namespaced: give the namespace in metadata.namespace, options.namespace or the client`,
      );
    const other = named.find((n) => n !== namespace);
    if (other !== undefined)
      throw new TypeError(
        `${this.resource.kind} ${name ?? ''}: namespace '${namespace}' contradicts '${other}' given elsewhere`,
      );
    return { namespace, name };
  }

  /** The object with its apiVersion and kind filled in from the descriptor when absent. */
  private typed(object: T): T {
    return { apiVersion: this.resource.apiVersion, kind: this.resource.kind, ...object };
  }

  private json(object: T): JsonRequest['body'] {
    return { data: JSON.stringify(this.typed(object)), contentType: 'application/json' };
  }
}

function nameOf(object: KubeObject): string {
  const name = object.metadata?.name;
  if (!name) throw new TypeError(`a ${object.kind ?? 'object'} needs a name: metadata.name is empty`);
  return name;
}

function writeQuery(options: WriteOptions): Record<string, string | undefined> {
  return {
    dryRun: options.dryRun ? 'All' : undefined,
    fieldManager: options.fieldManager,
    fieldValidation: options.fieldValidation,
  };
}

function patchBody(patch: Patch): JsonRequest['body'] {
  if (
    patch === null ||
    typeof patch !== 'object' ||
    !(patch.type in PATCH_CONTENT_TYPE) ||
    patch.type === ('apply' as string)
  )
    throw new TypeError(
      `a patch is { type: 'merge' | 'json' | 'strategic', patch }: got type '${String((patch as { type?: unknown })?.type)}'`,
    );
  if (patch.type === 'json' && !Array.isArray(patch.patch))
    throw new TypeError('a JSON patch (RFC 6902) is an array of operations');
  return { data: JSON.stringify(patch.patch), contentType: PATCH_CONTENT_TYPE[patch.type] };
}
