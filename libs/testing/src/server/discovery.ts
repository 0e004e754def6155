import type { ObjectStore } from '../store/object-store.js';
import { openApiDocument, openApiPath, openApiRoot } from './openapi.js';
import type { ServedResource } from '../store/served-resource.js';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const ALL_CATEGORY = new Set([
  '/pods',
  '/services',
  'apps/deployments',
  'apps/replicasets',
  'apps/statefulsets',
  'apps/daemonsets',
  'batch/jobs',
  'batch/cronjobs',
]);

/** Kubernetes version priority: v2 > v1 > v1beta2 > v1beta1 > v1alpha1 > anything else. */
function versionPriority(a: string, b: string): number {
  const parse = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (m === null) return [-1, 0, 0];
    return [m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1, Number(m[1]), Number(m[3] ?? 0)];
  };
  const [ka, ma, na] = parse(a);
  const [kb, mb, nb] = parse(b);
  return kb - ka || mb - ma || nb - na || a.localeCompare(b);
}

/** The discovery documents (`/api`, `/apis`, `/apis/{g}`, `/api/v1`, `/apis/{g}/{v}`), cached until resources change. */
export class Discovery {
  private cache = new Map<string, string | undefined>();

  constructor(
    private readonly store: ObjectStore,
    private readonly address: () => string,
    private readonly gitVersion: string,
  ) {
    store.registryListeners.add(() => this.cache.clear());
  }

  private memo(key: string, build: () => string | undefined): string | undefined {
    if (!this.cache.has(key)) this.cache.set(key, build());
    return this.cache.get(key);
  }

  private groups(): Map<string, string[]> {
    const groups = new Map<string, string[]>();
    for (const { descriptor } of this.store.resources()) {
      if (descriptor.group === '') continue;
      const versions = groups.get(descriptor.group) ?? [];
      if (!versions.includes(descriptor.version)) versions.push(descriptor.version);
      groups.set(descriptor.group, versions);
    }
    for (const versions of groups.values()) versions.sort(versionPriority);
    return groups;
  }

  private static group(name: string, versions: readonly string[]): object {
    const list = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
    return { name, versions: list, preferredVersion: list[0] };
  }

  /** `/api`. */
  api(): string {
    return JSON.stringify({
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: this.address() }],
    });
  }

  /** `/apis`. */
  apis(): string {
    return this.memo('/apis', () =>
      JSON.stringify({
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: [...this.groups()].map(([name, versions]) => Discovery.group(name, versions)),
      }),
    ) as string;
  }

  /** `/apis/{group}`, or undefined when the group is not served. */
  group(name: string): string | undefined {
    return this.memo(`/apis/${name}`, () => {
      const versions = this.groups().get(name);
      return versions === undefined
        ? undefined
        : JSON.stringify({ kind: 'APIGroup', apiVersion: 'v1', ...Discovery.group(name, versions) });
    });
  }

  /** `/api/v1` or `/apis/{group}/{version}`, or undefined when nothing is served there. */
  resources(group: string, version: string): string | undefined {
    return this.memo(`${group}/${version}`, () => {
      const served = this.store
        .resources()
        .filter((r) => r.descriptor.group === group && r.descriptor.version === version);
      if (served.length === 0) return undefined;
      return JSON.stringify({
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: group ? `${group}/${version}` : version,
        resources: served.flatMap((r) => Discovery.entries(r)),
      });
    });
  }

  private openApiDocuments(): Map<string, string> {
    const byPath = new Map<string, ServedResource[]>();
    for (const served of this.store.resources()) {
      const path = openApiPath(served.descriptor.group, served.descriptor.version);
      byPath.set(path, [...(byPath.get(path) ?? []), served]);
    }
    return new Map(
      [...byPath].map(([path, resources]) => [path, openApiDocument(resources, this.gitVersion)]),
    );
  }

  /** `/openapi/v3` and `/openapi/v3/{api/v1 | apis/g/v}`, or undefined for anything else. */
  openApi(path: string): string | undefined {
    if (path === '/openapi/v3') return this.memo(path, () => openApiRoot(this.openApiDocuments()));
    const match = /^\/openapi\/v3\/(.+)$/.exec(path);
    if (match === null) return undefined;
    return this.memo(path, () => this.openApiDocuments().get(match[1] ?? ''));
  }

  private static entries({ descriptor, hasStatus }: ServedResource): object[] {
    const main = {
      name: descriptor.plural,
      singularName: descriptor.singular,
      namespaced: descriptor.namespaced,
      kind: descriptor.kind,
      verbs: VERBS,
      ...(descriptor.shortNames.length > 0 ? { shortNames: descriptor.shortNames } : {}),
      ...(ALL_CATEGORY.has(`${descriptor.group}/${descriptor.plural}`) ? { categories: ['all'] } : {}),
    };
    const status = {
      name: `${descriptor.plural}/status`,
      singularName: '',
      namespaced: descriptor.namespaced,
      kind: descriptor.kind,
      verbs: ['get', 'patch', 'update'],
    };
    return hasStatus ? [main, status] : [main];
  }
}
