import type { Informer, KubeClient, KubeObject, Logger } from '@rxinformer/core';
import type { MetricsRegistry } from '@rxinformer/metrics';
import type { SchedulerLike } from 'rxjs';
import type { KeyOwnership } from './key-ownership.js';
import type { RateLimiter } from './rate-limiter.js';
import type { Reconciler } from './reconcile-request.js';

/**
 * A secondary informer whose objects map to keys of the primary resource. `map` runs behind a
 * guard: if it throws, or returns anything but an array of non-empty strings, the controller
 * reports a `UserCodeError` (site `mapper`) on `status$` and in the log, queues the valid keys
 * it did return, and goes on.
 *
 * @example
 * ```ts
 * const watch: WatchSpec<Wire<V1Secret>> = { informer: secrets, map: (s) => [`${s.metadata?.namespace}/${s.metadata?.labels?.site}`] };
 * ```
 */
export interface WatchSpec<K extends KubeObject> {
  readonly informer: Informer<K>;
  /** The primary keys an object maps to. */
  map(object: K): readonly string[];
}

/**
 * How long a reconcile may run by default before its signal aborts: 10 minutes, far above what
 * a healthy reconcile takes (it should wait with `requeueAfterMs`, not in place), yet bounded,
 * so a reconcile that never settles is noticed and retried.
 *
 * @example
 * ```ts
 * controller({ name: 'website', for: websites, reconcile, reconcileTimeoutMs: DEFAULT_RECONCILE_TIMEOUT_MS / 10 });
 * ```
 */
export const DEFAULT_RECONCILE_TIMEOUT_MS = 600_000;

/**
 * How long, by default, a key waits after its reconcile for the caches to show the
 * reconcile's own writes: 5 s, far above the milliseconds a healthy watch takes, yet short
 * enough that a lost event delays a key only briefly.
 *
 * @example
 * ```ts
 * controller({ name: 'website', for: websites, reconcile, readYourWrites: { timeoutMs: 2 * DEFAULT_WRITE_VISIBILITY_TIMEOUT_MS } });
 * ```
 */
export const DEFAULT_WRITE_VISIBILITY_TIMEOUT_MS = 5_000;

/**
 * Options of {@link controller}.
 *
 * @example
 * ```ts
 * const configMaps = informers.informer(ConfigMaps);
 * const options: ControllerOptions<Website> = { name: 'website', for: websites, owns: [configMaps], reconcile, concurrency: 4 };
 * ```
 */
export interface ControllerOptions<T extends KubeObject> {
  /** Names the queue and the metrics' `name`/`controller` label. */
  name: string;
  /** The primary resource: its keys are what is reconciled. */
  for: Informer<T>;
  /** Resources the primary one controls: an event maps to the key of its controlling owner (ownerReferences `controller: true`). */
  owns?: readonly Informer<KubeObject>[];
  /** Other resources, mapped to primary keys by a function. */
  watches?: readonly WatchSpec<KubeObject>[];
  reconcile: Reconciler<T>;
  /** Reconciles running at once, never two for one key (default 1). */
  concurrency?: number;
  /**
   * How long one reconcile may run (default {@link DEFAULT_RECONCILE_TIMEOUT_MS}, 10 minutes;
   * 0 or `Infinity`: no limit). Then its signal aborts with a `TimeoutError` DOMException, the
   * attempt counts as an error and the key is retried with backoff. The key stays blocked until
   * the late promise settles (never two reconciles for one key), but the worker moves on.
   */
  reconcileTimeoutMs?: number;
  /**
   * The client each reconcile request carries (default: the `for` informer's, that is its
   * factory's client, on the informers' connections).
   */
  client?: KubeClient;
  /**
   * Read-your-writes (default on, {@link DEFAULT_WRITE_VISIBILITY_TIMEOUT_MS}): after a
   * reconcile, its key is not reconciled again until the controller's caches show what the
   * reconcile wrote through `request.client`, waiting at most `timeoutMs` (then a warning is
   * logged, `rxinformer_controller_write_visibility_timeouts_total` counts it, and the key goes
   * on). `false` turns it off: a key runs again as soon as an event queues it.
   */
  readYourWrites?: boolean | { timeoutMs?: number };
  /** Backoff of failed keys (default {@link defaultControllerRateLimiter}). */
  rateLimiter?: RateLimiter;
  /** Clock and timers (default `asyncScheduler`). */
  scheduler?: SchedulerLike;
  /** prom-client registry for controller-runtime's `workqueue_*` and `controller_runtime_reconcile_*` metrics. */
  registry?: MetricsRegistry;
  /** Which keys this process may reconcile: a {@link LeaderElector}, a {@link ShardMembership}; default all. */
  ownership?: KeyOwnership;
  logger?: Logger;
}
