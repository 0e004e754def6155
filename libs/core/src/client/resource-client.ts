import type { V1Scale } from '@kubernetes/client-node';
import type { KubeObject, Wire } from '../resources/kube-object.js';
import type { ResourceDescriptor } from '../resources/resource.js';
import type { ListPage } from '../transport/types.js';
import type {
  ApplyOptions,
  ClientListOptions,
  DeleteOptions,
  Patch,
  RequestOptions,
  WriteOptions,
} from './write-options.js';

/**
 * The `scale` subresource of a Deployment, ReplicaSet, StatefulSet or a custom resource that
 * declares one.
 *
 * @example
 * ```ts
 * const scale: Scale = { metadata: { name: 'web', namespace: 'shop' }, spec: { replicas: 3 } };
 * ```
 */
export type Scale = Wire<V1Scale>;

/**
 * Reads and writes of one resource, on the transport the informers use (the same auth, TLS,
 * connection pool and typed errors). Every method returns the server's answer; every write
 * that is not a dry run is reported to the client's recorders, so an informer can wait until
 * its cache shows it (`informer.waitFor`). Failures are the typed errors of this library:
 * {@link ConflictError} (a stale resourceVersion, or `AlreadyExists`), {@link ResourceNotFoundError},
 * {@link ForbiddenError}, {@link InvalidRequestError} (with the server's `causes`), … A request
 * the server refused with 429 (or 503 with `Retry-After`) is sent again after the time it asked
 * for, a few times; a namespace that is missing or contradicts the object's is a `TypeError`.
 *
 * @example
 * ```ts
 * const configMaps = client.resource(ConfigMaps, { namespace: 'shop' });
 * const cm = await configMaps.create({ metadata: { name: 'web' }, data: { greeting: 'hi' } });
 * await configMaps.patch('web', { type: 'merge', patch: { data: { greeting: 'hello' } } });
 * await configMaps.delete('web');
 * ```
 */
export interface ResourceClient<T extends KubeObject> {
  readonly resource: ResourceDescriptor<T>;
  /** The namespace requests go to unless an object or an option names one. */
  readonly namespace: string | undefined;
  /** Reads one object from the server (not from a cache). */
  get(name: string, options?: RequestOptions): Promise<T>;
  /** Lists from the server (not from a cache): one request, one page when `limit` is given. */
  list(options?: ClientListOptions): Promise<ListPage<T>>;
  create(object: T, options?: WriteOptions): Promise<T>;
  /** Replaces the object; with `metadata.resourceVersion` set, only if it is still that version (409 otherwise). */
  update(object: T, options?: WriteOptions): Promise<T>;
  patch(name: string, patch: Patch, options?: WriteOptions): Promise<T>;
  /** Server-side apply: the fields of `object` become the manager's; 409 on another manager's fields unless `force`. */
  apply(object: T, options: ApplyOptions): Promise<T>;
  /**
   * Deletes by name, or by object (then its uid and resourceVersion tell read-your-writes what to
   * wait for). Resolves with the object while the server still holds it (finalizers, a grace
   * period), `undefined` once it is gone.
   */
  delete(nameOrObject: string | T, options?: DeleteOptions): Promise<T | undefined>;
  updateStatus(object: T, options?: WriteOptions): Promise<T>;
  patchStatus(name: string, patch: Patch, options?: WriteOptions): Promise<T>;
  applyStatus(object: T, options: ApplyOptions): Promise<T>;
  getScale(name: string, options?: RequestOptions): Promise<Scale>;
  updateScale(name: string, scale: Scale, options?: WriteOptions): Promise<Scale>;
  patchScale(name: string, patch: Patch, options?: WriteOptions): Promise<Scale>;
}
