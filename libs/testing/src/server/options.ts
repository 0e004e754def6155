import type { ResourceDescriptor } from '@rxinformer/core';

/**
 * Options of {@link createKubeApiServer}. Every field has a default that behaves like a real
 * API server, except `autoCreateNamespaces` which favours ergonomics.
 *
 * @example
 * ```ts
 * const server = await createKubeApiServer({ bookmarkIntervalMs: 1000, historySize: 500, seed: 42 });
 * ```
 */
export interface KubeApiServerOptions {
  /** TCP port on 127.0.0.1; default 0 (a random free port). */
  readonly port?: number;
  /** The bearer token clients must send; default `rxinformer-sim-token`. */
  readonly token?: string;
  /** Resources to serve besides the built-ins of `@rxinformer/core` (custom resources, more built-ins). */
  readonly resources?: readonly ResourceDescriptor[];
  /** Interval of BOOKMARK events on watches that allow them; default 60 000 ms (about the real server's). */
  readonly bookmarkIntervalMs?: number;
  /** Events kept per resource (the watch cache window); older resourceVersions get 410. Default 10 000. */
  readonly historySize?: number;
  /** Seed of the PRNG behind uids, generated names and random faults; default random. */
  readonly seed?: number;
  /** Largest request body accepted (413 beyond); default 3 MiB like the real server. */
  readonly maxBodyBytes?: number;
  /** A watch whose unsent output exceeds this is closed, as the real server drops slow watchers; default 64 MiB. */
  readonly slowWatcherBytes?: number;
  /** Create a missing namespace on first use instead of answering 404; default true. */
  readonly autoCreateNamespaces?: boolean;
  /** Namespaces that exist at start; default `default`, `kube-system`, `kube-public`, `kube-node-lease`. */
  readonly namespaces?: readonly string[];
  /** Watch timeout when the client sends no `timeoutSeconds`; default 1800 s. */
  readonly defaultWatchTimeoutSeconds?: number;
  /** Clock for creationTimestamp and deletionTimestamp; default `() => new Date()`. */
  readonly now?: () => Date;
  /** What `/version` reports; default a v1.34.0 server. */
  readonly version?: { readonly major: string; readonly minor: string; readonly gitVersion?: string };
}
