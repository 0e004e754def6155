import type { KubeObject, ResourceDescriptor } from '@rxinformer/core';
import { StatusErrors } from '../api/status.js';
import { applyJsonPatch } from '../patch/json-patch.js';
import { applyMergePatch } from '../patch/merge-patch.js';
import { parseFieldSelector } from '../selectors/field-selector.js';
import { parseLabelSelector } from '../selectors/label-selector.js';
import { ObjectStore } from '../store/object-store.js';
import type { ServedResource } from '../store/served-resource.js';
import { decodeVersion, type StoredVersion } from '../store/stored-version.js';

type Json = Record<string, unknown>;

/** The server's synchronous, typed methods over its store (no HTTP, same semantics and events). */
export class DirectApi {
  constructor(private readonly store: ObjectStore) {}

  private decode<T>(served: ServedResource, version: StoredVersion): T {
    return decodeVersion<T>(served.head, version);
  }

  private decoder(served: ServedResource): (v: StoredVersion) => Json {
    return (v) => this.decode<Json>(served, v);
  }

  private namespaceOf(served: ServedResource, namespace: string | undefined): string | undefined {
    return served.descriptor.namespaced ? namespace || 'default' : undefined;
  }

  private withNamespace(served: ServedResource, object: KubeObject): Json {
    const meta = { ...(object.metadata ?? {}) } as Json;
    if (served.descriptor.namespaced)
      meta['namespace'] = this.namespaceOf(served, meta['namespace'] as string | undefined);
    return { ...(object as Json), metadata: meta };
  }

  create<T extends KubeObject>(resource: ResourceDescriptor<T>, object: T): T {
    const served = this.store.resolve(resource);
    return this.decode(served, this.store.create(served, this.withNamespace(served, object)));
  }

  find<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    name: string,
    namespace?: string,
  ): T | undefined {
    const served = this.store.resolve(resource);
    const version = served.table.current(ObjectStore.key(served, this.namespaceOf(served, namespace), name));
    return version === undefined ? undefined : this.decode(served, version);
  }

  get<T extends KubeObject>(resource: ResourceDescriptor<T>, name: string, namespace?: string): T {
    const found = this.find(resource, name, namespace);
    if (found === undefined) throw StatusErrors.notFound(resource, name);
    return found;
  }

  list<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    options: { namespace?: string; labelSelector?: string; fieldSelector?: string } = {},
  ): T[] {
    const served = this.store.resolve(resource);
    const labels = parseLabelSelector(options.labelSelector);
    const fields = parseFieldSelector(options.fieldSelector, served.table.fields);
    const page = served.table.snapshot({
      rv: this.store.rv,
      namespace: served.descriptor.namespaced ? options.namespace : undefined,
      predicate: (v) => labels.matches(v.labels) && fields.matches(v.name, v.namespace, v.fields),
    });
    return page.items.map((v) => this.decode<T>(served, v));
  }

  update<T extends KubeObject>(resource: ResourceDescriptor<T>, object: T): T {
    const served = this.store.resolve(resource);
    return this.decode(
      served,
      this.store.update(served, this.withNamespace(served, object), {
        scope: 'all',
        decode: this.decoder(served),
      }),
    );
  }

  patch<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    name: string,
    patch: unknown,
    options: { namespace?: string; type?: 'merge' | 'json' | 'strategic' } = {},
  ): T {
    const served = this.store.resolve(resource);
    const current = this.get(resource, name, options.namespace) as Json;
    const patched = (
      options.type === 'json' ? applyJsonPatch(current, patch) : applyMergePatch(current, patch)
    ) as Json;
    return this.decode(
      served,
      this.store.update(served, patched, { scope: 'all', decode: this.decoder(served) }),
    );
  }

  delete<T extends KubeObject>(resource: ResourceDescriptor<T>, name: string, namespace?: string): T {
    const served = this.store.resolve(resource);
    const { version } = this.store.delete(served, this.namespaceOf(served, namespace), name, {
      decode: this.decoder(served),
    });
    return this.decode(served, version);
  }

  count(resource: ResourceDescriptor, namespace?: string): number {
    const served = this.store.resolve(resource);
    if (!served.descriptor.namespaced || namespace === undefined) return served.table.size;
    return served.table.snapshot({ rv: this.store.rv, namespace }).items.length;
  }
}
