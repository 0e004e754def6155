import { Pods, type ResourceDescriptor } from '@rxinformer/core';
import type { KubeApiServer } from '../server/kube-api-server.js';
import { populationOf } from './population.js';

/**
 * Options of {@link populate}.
 *
 * @example
 * ```ts
 * const options: PopulateOptions = { count: 10_000, namespaces: 20, seed: 1, bytes: 7000 };
 * ```
 */
export interface PopulateOptions {
  /** What to create; default Pods (realistic pods). ConfigMaps and other resources get a padded payload. */
  readonly resource?: ResourceDescriptor;
  readonly count: number;
  /** A number of generated namespaces (`sim-00`, …; default 10) or their names. */
  readonly namespaces?: number | readonly string[];
  /** Seed of the generator (same seed, same objects); default 1. */
  readonly seed?: number;
  /** Approximate serialized size of one object; default 6000 bytes. */
  readonly bytes?: number;
}

/**
 * What {@link populate} did.
 *
 * @example
 * ```ts
 * const { created, averageBytes } = await populate(server, { count: 100 });
 * ```
 */
export interface PopulateStats {
  readonly created: number;
  readonly averageBytes: number;
  readonly resourceVersion: string;
}

/**
 * Creates `count` objects on a server through its store (no HTTP), spread over namespaces,
 * yielding to the event loop every thousand objects. Later calls and {@link churn} share the
 * same population.
 *
 * @example
 * ```ts
 * await populate(server, { count: 100_000, namespaces: 50, seed: 7, bytes: 7000 });
 * const core = server.kubeConfig.makeApiClient(CoreV1Api);
 * const list = await core.listPodForAllNamespaces({ limit: 500 });
 * ```
 */
export async function populate(server: KubeApiServer, options: PopulateOptions): Promise<PopulateStats> {
  const population = populationOf(server, options.resource ?? Pods, options);
  let bytes = 0;
  for (let i = 0; i < options.count; i++) {
    bytes += population.create();
    if (i % 1000 === 999) await new Promise((resolve) => setImmediate(resolve));
  }
  return {
    created: options.count,
    averageBytes: options.count === 0 ? 0 : Math.round(bytes / options.count),
    resourceVersion: server.resourceVersion,
  };
}
