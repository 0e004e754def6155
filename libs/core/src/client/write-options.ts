/**
 * What every request of a {@link ResourceClient} accepts.
 *
 * @example
 * ```ts
 * const options: RequestOptions = { signal: AbortSignal.timeout(5_000) };
 * ```
 */
export interface RequestOptions {
  /** Aborts the request; the promise rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** The namespace, for a namespaced resource when the client was not bound to one. */
  namespace?: string | undefined;
}

/**
 * Options of create, update, patch and the status and scale writes.
 *
 * @example
 * ```ts
 * const options: WriteOptions = { dryRun: true, fieldManager: 'website-operator', fieldValidation: 'Strict' };
 * ```
 */
export interface WriteOptions extends RequestOptions {
  /** Let the server validate and answer, but persist nothing (`dryRun=All`). Not recorded for read-your-writes. */
  dryRun?: boolean | undefined;
  /** Who makes the change, as managedFields will say (default: the server derives one from the user agent). */
  fieldManager?: string | undefined;
  /** What the server does with unknown or duplicate fields (its default is `Warn`). */
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore' | undefined;
}

/**
 * Options of a server-side apply: a field manager is required; `force` takes over fields another
 * manager owns instead of failing with a conflict.
 *
 * @example
 * ```ts
 * await configMaps.apply(desired, { fieldManager: 'website-operator', force: true });
 * ```
 */
export interface ApplyOptions extends WriteOptions {
  fieldManager: string;
  force?: boolean | undefined;
}

/**
 * Options of a delete.
 *
 * @example
 * ```ts
 * const deployments = informers.client.resource(Deployments, { namespace: 'shop' });
 * const { uid } = (await deployments.get('web')).metadata ?? {};
 * await deployments.delete('web', { propagationPolicy: 'Foreground', preconditions: { uid } });
 * ```
 */
export interface DeleteOptions extends RequestOptions {
  dryRun?: boolean | undefined;
  /** The delete fails with a 409 unless the object still has this uid or resourceVersion. */
  preconditions?: { uid?: string | undefined; resourceVersion?: string | undefined } | undefined;
  /** What happens to dependents: `Background` (the server's default for most), `Foreground` or `Orphan`. */
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan' | undefined;
  /** Seconds before the object is removed; 0 removes at once. */
  gracePeriodSeconds?: number | undefined;
}

/**
 * Options of an uncached list: one request, as the server answers it (all objects unless
 * `limit` asks for a page).
 *
 * @example
 * ```ts
 * const page = await informers.client.resource(Pods, { namespace: 'shop' }).list({ labelSelector: 'app=web', limit: 100 });
 * ```
 */
export interface ClientListOptions extends RequestOptions {
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  limit?: number | undefined;
  continue?: string | undefined;
  /** `undefined` or `''` for a consistent read (the default), `'0'` for any cached state. */
  resourceVersion?: string | undefined;
  resourceVersionMatch?: 'NotOlderThan' | 'Exact' | undefined;
}

/**
 * One operation of an RFC 6902 JSON patch.
 *
 * @example
 * ```ts
 * const op: JsonPatchOperation = { op: 'replace', path: '/spec/replicas', value: 3 };
 * ```
 */
export type JsonPatchOperation =
  | { op: 'add' | 'replace' | 'test'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'move' | 'copy'; from: string; path: string };

/**
 * A patch and its kind: a JSON merge patch (RFC 7386), a JSON patch (RFC 6902) or a strategic
 * merge patch (built-in types only: the server answers 415 for custom resources). Server-side
 * apply has its own method, `apply`.
 *
 * @example
 * ```ts
 * const patch: Patch = { type: 'merge', patch: { metadata: { labels: { tier: 'web' } } } };
 * await configMaps.patch('web', patch);
 * ```
 */
export type Patch =
  | { type: 'merge'; patch: object }
  | { type: 'json'; patch: readonly JsonPatchOperation[] }
  | { type: 'strategic'; patch: object };

/** The media type of each patch kind. */
export const PATCH_CONTENT_TYPE: Readonly<Record<Patch['type'] | 'apply', string>> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};
