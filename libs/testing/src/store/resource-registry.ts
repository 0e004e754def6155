import type { ResourceDescriptor } from '@rxinformer/core';
import { StatusErrors } from '../api/status.js';
import { fieldsFor } from '../selectors/field-selector.js';
import { ResourceTable } from './resource-table.js';
import { serve, type ServedResource } from './served-resource.js';

type Json = Record<string, unknown>;

/** Called before an object is first stored, to fill server-set fields (CRD conditions). */
export type CreateHook = (object: Json) => void;

const tableId = (group: string, plural: string): string => `${group}/${plural}`;
const servedId = (group: string, version: string, plural: string): string => `${group}/${version}/${plural}`;

/**
 * The resources a server serves: one table of objects per group/plural, shared by every
 * version served (group/version/plural), registered and unregistered at run time.
 */
export class ResourceRegistry {
  protected readonly tables = new Map<string, ResourceTable>();
  private readonly served = new Map<string, ServedResource>();
  private readonly createHooks = new Map<string, CreateHook>();
  /** Called after every registration change (discovery caches listen). */
  readonly registryListeners = new Set<() => void>();

  constructor(
    private readonly historySize: number,
    private readonly currentRv: () => number,
  ) {}

  /** Every served resource (one per group/version/plural). */
  resources(): ServedResource[] {
    return [...this.served.values()];
  }

  find(group: string, version: string, plural: string): ServedResource | undefined {
    return this.served.get(servedId(group, version, plural));
  }

  /** The served resource of a descriptor; throws 404 when it is not registered. */
  resolve(descriptor: ResourceDescriptor): ServedResource {
    const served = this.find(descriptor.group, descriptor.version, descriptor.plural);
    if (served === undefined) throw StatusErrors.resourceNotFound();
    return served;
  }

  register(
    descriptor: ResourceDescriptor,
    options: { builtin?: boolean; hasStatus?: boolean } = {},
  ): ServedResource {
    const existing = this.find(descriptor.group, descriptor.version, descriptor.plural);
    if (existing !== undefined) return existing;
    const id = tableId(descriptor.group, descriptor.plural);
    let table = this.tables.get(id);
    if (table === undefined) {
      table = new ResourceTable(descriptor, fieldsFor(descriptor), this.historySize, this.currentRv());
      this.tables.set(id, table);
    }
    const served = serve(descriptor, table, options);
    this.served.set(servedId(descriptor.group, descriptor.version, descriptor.plural), served);
    for (const listener of this.registryListeners) listener();
    return served;
  }

  /** Stops serving every version of a group/plural and forgets its objects. */
  unregister(group: string, plural: string): void {
    const table = this.tables.get(tableId(group, plural));
    if (table === undefined) return;
    for (const [id, served] of this.served) if (served.table === table) this.served.delete(id);
    this.tables.delete(tableId(group, plural));
    table.retire();
    for (const listener of this.registryListeners) listener();
  }

  /** Registers a hook run on every object of a group/plural before it is first stored. */
  onCreate(group: string, plural: string, hook: CreateHook): void {
    this.createHooks.set(tableId(group, plural), hook);
  }

  protected createHook(descriptor: ResourceDescriptor): CreateHook | undefined {
    return this.createHooks.get(tableId(descriptor.group, descriptor.plural));
  }
}
