import { objectKey, resourceName, type Informer, type KubeObject } from '@rxinformer/core';
import type { ControllerOptions } from './controller-options.js';
import type { ControllerFailure } from './controller-status.js';
import { mapKeys, type MappedKeys } from './map-keys.js';
import { controllerOwnerKeys } from './owner-key.js';

/** Where a controller's keys come from: one informer, and how its objects map to primary keys. */
export interface KeySource {
  readonly informer: Informer<KubeObject>;
  /** What a fatal error of this informer says about where it came from. */
  readonly failure: Pick<ControllerFailure, 'source' | 'index' | 'resource'>;
  /** The keys of an object, through the guarded mapper for `owns` and `watches`. */
  readonly keysOf: (object: KubeObject) => MappedKeys;
  /** Whether it is the `for` informer, whose events supersede in-flight reconciles. */
  readonly primary: boolean;
}

/**
 * The key sources of a controller's options, `for` first. Mappers of `owns` and `watches` are
 * named `owns[0] configmaps`, `watches[1] deployments.apps` in their errors.
 */
export function keySources<T extends KubeObject>(options: ControllerOptions<T>): KeySource[] {
  const primary = options.for as unknown as Informer<KubeObject>;
  const secondary = (role: 'owns' | 'watches', index: number, informer: Informer<KubeObject>) => {
    const resource = resourceName(informer.resource);
    return { failure: { source: role, index, resource }, label: `${role}[${index}] ${resource}` };
  };
  return [
    {
      informer: primary,
      failure: { source: 'for', index: undefined, resource: resourceName(primary.resource) },
      keysOf: (o) => ({ keys: [objectKey(o)], error: undefined }),
      primary: true,
    },
    ...(options.owns ?? []).map((informer, i) => {
      const { failure, label } = secondary('owns', i, informer);
      const owners = (o: KubeObject) => controllerOwnerKeys(o, primary.resource);
      return { informer, failure, keysOf: (o: KubeObject) => mapKeys(owners, o, label), primary: false };
    }),
    ...(options.watches ?? []).map((watch, i) => {
      const { failure, label } = secondary('watches', i, watch.informer);
      const keysOf = (o: KubeObject) => mapKeys((x) => watch.map(x), o, label);
      return { informer: watch.informer, failure, keysOf, primary: false };
    }),
  ];
}
