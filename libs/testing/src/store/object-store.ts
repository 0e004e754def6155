import { StatusErrors } from '../api/status.js';
import type { SeededRandom } from '../util/random.js';
import type { StoreEvent } from './event-history.js';
import { ResourceRegistry } from './resource-registry.js';
import type { ResourceTable } from './resource-table.js';
import type { ServedResource } from './served-resource.js';
import {
  atResourceVersion,
  encodeVersion,
  sameContent,
  sameSpec,
  type StoredVersion,
} from './stored-version.js';
import { validateName } from './validation.js';

type Json = Record<string, unknown>;

/** Options of the object store. */
export interface ObjectStoreOptions {
  readonly historySize: number;
  readonly now: () => Date;
  readonly random: SeededRandom;
  readonly autoCreateNamespaces: boolean;
}

/** What a write is allowed to change. */
export interface WriteOptions {
  /** Only validate: store nothing, notify no one (`?dryRun=All`). */
  readonly dryRun?: boolean;
  /** `'status'`: only the status changes. `'main'`: the status of a resource with a status subresource is kept. `'all'`: everything (direct methods). */
  readonly scope?: 'all' | 'main' | 'status';
}

/** RFC 3339 with second precision, as the API server writes timestamps. */
export function timestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/**
 * All objects of all resources, one global resourceVersion counter, and the write semantics of
 * the API server: uid, creationTimestamp, generation, optimistic concurrency, finalizers,
 * namespace existence, and no-op writes that change nothing.
 */
export class ObjectStore extends ResourceRegistry {
  private revision = 0;

  constructor(readonly options: ObjectStoreOptions) {
    super(options.historySize, () => this.revision);
  }

  /** The current resourceVersion (the RV of the latest write). */
  get rv(): number {
    return this.revision;
  }

  private nextRv(): number {
    return ++this.revision;
  }

  private commit(
    table: ResourceTable,
    type: StoreEvent['type'],
    object: StoredVersion,
    prev: StoredVersion | undefined,
  ): void {
    table.commit({ type, object, prev, lines: new Map() });
  }

  private encode(
    served: ServedResource,
    object: Json,
    key: string,
    prev: StoredVersion | undefined,
    rv: number,
  ): StoredVersion {
    return encodeVersion(
      object,
      key,
      rv,
      {
        uid: prev?.uid ?? this.options.random.uuid(),
        creationTimestamp: prev?.creationTimestamp ?? timestamp(this.options.now()),
        generation: !served.tracksGeneration
          ? undefined
          : prev?.generation === undefined
            ? 1
            : (spec) => (sameSpec(prev, spec) ? (prev.generation ?? 1) : (prev.generation ?? 0) + 1),
      },
      served.table.fields,
    );
  }

  /** The key of an object in a table: `namespace/name` or `name`. */
  static key(served: ServedResource, namespace: string | undefined, name: string): string {
    return served.descriptor.namespaced ? `${namespace ?? ''}/${name}` : name;
  }

  private ensureNamespace(namespace: string, dryRun: boolean): void {
    const namespaces = this.find('', 'v1', 'namespaces');
    if (namespaces === undefined || namespaces.table.current(namespace) !== undefined) return;
    if (!this.options.autoCreateNamespaces) throw StatusErrors.notFound(namespaces.descriptor, namespace);
    if (!dryRun)
      this.create(namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  }

  /** Creates an object; `object.metadata.namespace` must already be resolved for namespaced resources. */
  create(served: ServedResource, object: Json, options: WriteOptions = {}): StoredVersion {
    const { descriptor, table } = served;
    const meta = { ...((object['metadata'] ?? {}) as Json) };
    if (typeof meta['name'] !== 'string' || meta['name'] === '') {
      const generateName = meta['generateName'];
      if (typeof generateName !== 'string' || generateName === '') {
        throw StatusErrors.invalid(descriptor.kind, descriptor.group, '', [
          {
            reason: 'FieldValueRequired',
            message: 'Required value: name or generateName is required',
            field: 'metadata.name',
          },
        ]);
      }
      const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
      let suffix = '';
      for (let i = 0; i < 5; i++) suffix += this.options.random.pick([...alphabet]);
      meta['name'] = `${generateName}${suffix}`;
    }
    const name = meta['name'] as string;
    validateName(descriptor, name);
    const namespace = descriptor.namespaced ? String(meta['namespace'] ?? '') : undefined;
    if (descriptor.namespaced) {
      if (!namespace) throw StatusErrors.badRequest('the server could not find the requested resource');
      this.ensureNamespace(namespace, options.dryRun === true);
    } else {
      delete meta['namespace'];
    }
    const key = ObjectStore.key(served, namespace, name);
    if (table.current(key) !== undefined) throw StatusErrors.alreadyExists(descriptor, name);
    delete meta['deletionTimestamp'];
    const toStore: Json = { ...object, metadata: meta };
    this.createHook(descriptor)?.(toStore);
    if (options.dryRun) return this.encode(served, toStore, key, undefined, this.revision);
    const version = this.encode(served, toStore, key, undefined, this.nextRv());
    this.commit(table, 'ADDED', version, undefined);
    return version;
  }

  /**
   * Replaces an object. A `metadata.resourceVersion` in `object` must match the stored one
   * (409 Conflict otherwise); an update that changes nothing stores nothing.
   */
  update(
    served: ServedResource,
    object: Json,
    options: WriteOptions & { readonly decode: (v: StoredVersion) => Json },
  ): StoredVersion {
    const { descriptor, table } = served;
    const meta = (object['metadata'] ?? {}) as Json;
    const name = String(meta['name'] ?? '');
    const namespace = descriptor.namespaced ? String(meta['namespace'] ?? '') : undefined;
    const key = ObjectStore.key(served, namespace, name);
    const current = table.current(key);
    if (current === undefined) throw StatusErrors.notFound(descriptor, name);
    const rv = meta['resourceVersion'];
    if (rv !== undefined && rv !== '' && rv !== String(current.rv))
      throw StatusErrors.staleUpdate(descriptor, name);
    const uid = meta['uid'];
    if (typeof uid === 'string' && uid !== '' && uid !== current.uid) {
      throw StatusErrors.conflict(
        descriptor,
        name,
        `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.uid}`,
      );
    }
    let next: Json = object;
    const scope = options.scope ?? 'all';
    if (
      scope === 'status' ||
      (scope === 'main' && served.hasStatus) ||
      current.deletionTimestamp !== undefined
    ) {
      const old = options.decode(current);
      const oldMeta = (old['metadata'] ?? {}) as Json;
      if (scope === 'status') next = { ...old, status: object['status'] };
      else if (scope === 'main' && served.hasStatus) next = { ...object, status: old['status'] };
      const nextMeta = { ...((next['metadata'] ?? {}) as Json) };
      if (oldMeta['deletionTimestamp'] !== undefined) {
        nextMeta['deletionTimestamp'] = oldMeta['deletionTimestamp'];
        nextMeta['deletionGracePeriodSeconds'] = oldMeta['deletionGracePeriodSeconds'];
      }
      next = { ...next, metadata: nextMeta };
    } else if (meta['deletionTimestamp'] !== undefined) {
      const { deletionTimestamp: _d, deletionGracePeriodSeconds: _g, ...rest } = meta;
      next = { ...object, metadata: rest };
    }
    // Encoded at the RV it will get if it changes anything; sameContent ignores the RV.
    const candidate = this.encode(served, next, key, current, this.revision + 1);
    if (sameContent(candidate, current)) return current;
    if (options.dryRun) return atResourceVersion(candidate, current.rv, false);
    this.nextRv();
    const version = candidate;
    if (version.deletionTimestamp !== undefined && !version.hasFinalizers) {
      this.commit(table, 'DELETED', atResourceVersion(version, version.rv, true), current);
      return version;
    }
    this.commit(table, 'MODIFIED', version, current);
    return version;
  }

  /**
   * Deletes an object. With finalizers it only gains a deletionTimestamp (`deleted: false`);
   * otherwise the returned version is its final state at the deletion's resourceVersion.
   */
  delete(
    served: ServedResource,
    namespace: string | undefined,
    name: string,
    options: WriteOptions & {
      readonly preconditions?: { uid?: string; resourceVersion?: string };
      readonly decode: (v: StoredVersion) => Json;
    },
  ): { version: StoredVersion; deleted: boolean } {
    const { descriptor, table } = served;
    const key = ObjectStore.key(served, namespace, name);
    const current = table.current(key);
    if (current === undefined) throw StatusErrors.notFound(descriptor, name);
    const pre = options.preconditions;
    if (pre?.uid !== undefined && pre.uid !== current.uid) {
      throw StatusErrors.conflict(
        descriptor,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.uid}`,
      );
    }
    if (pre?.resourceVersion !== undefined && pre.resourceVersion !== String(current.rv)) {
      throw StatusErrors.conflict(
        descriptor,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.rv}`,
      );
    }
    if (current.hasFinalizers) {
      if (current.deletionTimestamp !== undefined || options.dryRun)
        return { version: current, deleted: false };
      const old = options.decode(current);
      const meta = {
        ...(old['metadata'] as Json),
        deletionTimestamp: timestamp(this.options.now()),
        deletionGracePeriodSeconds: 0,
      };
      const version = this.encode(served, { ...old, metadata: meta }, key, current, this.nextRv());
      this.commit(table, 'MODIFIED', version, current);
      return { version, deleted: false };
    }
    if (options.dryRun) return { version: current, deleted: true };
    if (descriptor.group === '' && descriptor.plural === 'namespaces') this.deleteNamespaceContents(name);
    const tombstone = atResourceVersion(current, this.nextRv(), true);
    this.commit(table, 'DELETED', tombstone, current);
    return { version: tombstone, deleted: true };
  }

  /** The namespace controller's job, done at once: every object in the namespace goes. */
  private deleteNamespaceContents(namespace: string): void {
    for (const table of this.tables.values()) {
      if (!table.identity.namespaced) continue;
      for (const key of [...table.keys.keys()]) {
        if (!key.startsWith(`${namespace}/`)) continue;
        const current = table.current(key);
        if (current !== undefined)
          this.commit(table, 'DELETED', atResourceVersion(current, this.nextRv(), true), current);
      }
    }
  }

  /** Deletes every object of a table (a CRD going away), notifying its watchers. */
  deleteAll(table: ResourceTable): void {
    for (const key of [...table.keys.keys()]) {
      const current = table.current(key);
      if (current !== undefined)
        this.commit(table, 'DELETED', atResourceVersion(current, this.nextRv(), true), current);
    }
  }

  /** Forgets all event history: watches and continue tokens from before now get 410. */
  compact(): void {
    for (const table of this.tables.values()) table.compact(this.revision);
  }
}
