import { Pods, type ResourceDescriptor } from '@rxinformer/core';
import type { KubeApiServer } from '../server/kube-api-server.js';
import { storeOf } from '../server/kube-api-server.js';
import type { ObjectStore } from '../store/object-store.js';
import type { ServedResource } from '../store/served-resource.js';
import { decodeVersion } from '../store/stored-version.js';
import { seededRandom, type SeededRandom } from '../util/random.js';
import { appTemplates, makePod, padTemplates, type AppTemplate } from './pod-template.js';

type Json = Record<string, unknown>;

/** One generated object the workload keeps track of. */
interface Member {
  readonly name: string;
  readonly namespace: string;
  readonly index: number;
  readonly template: AppTemplate;
  revision: number;
}

/**
 * The objects a workload generated on one server for one resource: how to build them, and a
 * dense array to pick random members from in O(1).
 */
export class Population {
  readonly members: Member[] = [];
  private nextIndex = 0;
  readonly random: SeededRandom;
  private readonly templates: AppTemplate[];
  private readonly decode: (v: import('../store/stored-version.js').StoredVersion) => Json;

  constructor(
    readonly store: ObjectStore,
    readonly served: ServedResource,
    readonly namespaces: readonly string[],
    seed: number,
    readonly bytes: number,
  ) {
    this.random = seededRandom(seed);
    this.templates = padTemplates(
      appTemplates(this.random, 16),
      served.descriptor === Pods || served.descriptor.plural === 'pods' ? bytes : 0,
    );
    this.decode = (v) => decodeVersion<Json>(served.head, v);
  }

  private build(member: Member): Json {
    const { descriptor } = this.served;
    if (descriptor.group === '' && descriptor.plural === 'pods') return makePod(member);
    const payload = { revision: String(member.revision), payload: 'x'.repeat(Math.max(0, this.bytes - 300)) };
    const metadata: Json = {
      name: member.name,
      labels: { app: member.template.app, 'rxinformer.io/sim': 'true' },
      annotations: { 'rxinformer.io/revision': String(member.revision) },
    };
    if (descriptor.namespaced) metadata['namespace'] = member.namespace;
    return descriptor.plural === 'configmaps' && descriptor.group === ''
      ? { apiVersion: descriptor.apiVersion, kind: descriptor.kind, metadata, data: payload }
      : { apiVersion: descriptor.apiVersion, kind: descriptor.kind, metadata, spec: payload };
  }

  /** Creates one new member; returns its serialized size. */
  create(): number {
    const index = this.nextIndex++;
    const template = this.templates[index % this.templates.length] as AppTemplate;
    const namespace = this.namespaces[index % this.namespaces.length] as string;
    const member: Member = {
      name: `${template.app}-${index.toString(36).padStart(5, '0')}`,
      namespace,
      index,
      template,
      revision: 1,
    };
    const version = this.store.create(this.served, this.build(member));
    this.members.push(member);
    return version.body.length + this.served.head.length;
  }

  private pick(): { member: Member; at: number } | undefined {
    if (this.members.length === 0) return undefined;
    const at = this.random.int(this.members.length);
    return { member: this.members[at] as Member, at };
  }

  private forget(at: number): void {
    const last = this.members.pop() as Member;
    if (at < this.members.length) this.members[at] = last;
  }

  /** Updates a random member (a new revision: status, annotation and readiness change). False when there is none. */
  update(): boolean {
    const picked = this.pick();
    if (picked === undefined) return false;
    picked.member.revision++;
    try {
      this.store.update(this.served, this.build(picked.member), { scope: 'all', decode: this.decode });
    } catch {
      this.forget(picked.at); // deleted by someone else
      return false;
    }
    return true;
  }

  /** Deletes a random member. False when there is none. */
  delete(): boolean {
    const picked = this.pick();
    if (picked === undefined) return false;
    this.forget(picked.at);
    try {
      this.store.delete(
        this.served,
        this.served.descriptor.namespaced ? picked.member.namespace : undefined,
        picked.member.name,
        { decode: this.decode },
      );
    } catch {
      return false;
    }
    return true;
  }
}

const populations = new WeakMap<KubeApiServer, Map<string, Population>>();

/** The population of a resource on a server, created on first use. */
export function populationOf(
  server: KubeApiServer,
  resource: ResourceDescriptor,
  options: { namespaces?: number | readonly string[]; seed?: number; bytes?: number } = {},
): Population {
  let byResource = populations.get(server);
  if (byResource === undefined) {
    byResource = new Map();
    populations.set(server, byResource);
  }
  const id = `${resource.group}/${resource.version}/${resource.plural}`;
  let population = byResource.get(id);
  if (population === undefined) {
    const store = storeOf(server);
    const namespaces =
      typeof options.namespaces === 'object'
        ? options.namespaces
        : Array.from({ length: options.namespaces ?? 10 }, (_, i) => `sim-${String(i).padStart(2, '0')}`);
    population = new Population(
      store,
      store.resolve(resource),
      resource.namespaced ? namespaces : [''],
      options.seed ?? 1,
      options.bytes ?? 6000,
    );
    byResource.set(id, population);
  }
  return population;
}
