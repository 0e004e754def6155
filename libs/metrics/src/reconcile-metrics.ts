import type { Counter, Gauge, Histogram } from 'prom-client';
import { counter, gauge, histogram, type MetricsRegistry } from './registry-metrics.js';

/**
 * How a reconcile ended, as controller-runtime labels `controller_runtime_reconcile_total`.
 *
 * @example
 * ```ts
 * const outcome: { error?: unknown; requeueAfterMs?: number } = { requeueAfterMs: 30_000 };
 * const result: ReconcileResult = outcome.error ? 'error' : outcome.requeueAfterMs ? 'requeue_after' : 'success';
 * ```
 *
 * @see {@link reconcileMetrics}
 */
export type ReconcileResult = 'success' | 'error' | 'requeue' | 'requeue_after';

/**
 * The reconcile metrics of one controller, bound to its `controller` label.
 *
 * @example
 * ```ts
 * const reconciles: ReconcileMetrics = reconcileMetrics(registry, 'website');
 * reconciles.total.success.inc();
 * ```
 *
 * @see {@link reconcileMetrics}
 */
export interface ReconcileMetrics {
  /** `controller_runtime_reconcile_total{controller,result}`, one handle per result. */
  readonly total: Readonly<Record<ReconcileResult, Counter.Internal>>;
  /** `controller_runtime_reconcile_errors_total{controller}` */
  readonly errors: Counter.Internal;
  /** `controller_runtime_reconcile_time_seconds{controller}` */
  readonly time: Histogram.Internal<'controller'>;
  /** `controller_runtime_active_workers{controller}` */
  readonly activeWorkers: Gauge.Internal<'controller'>;
  /** `controller_runtime_max_concurrent_reconciles{controller}` */
  readonly maxConcurrentReconciles: Gauge.Internal<'controller'>;
  /**
   * `rxinformer_controller_write_visibility_seconds{controller}`: how long a key waited, after
   * its reconcile, until the caches showed the reconcile's own writes (read-your-writes).
   */
  readonly writeVisibility: Histogram.Internal<'controller'>;
  /** `rxinformer_controller_write_visibility_timeouts_total{controller}`: waits that reached their deadline. */
  readonly writeVisibilityTimeouts: Counter.Internal;
}

const RESULTS: readonly ReconcileResult[] = ['success', 'error', 'requeue', 'requeue_after'];
// controller-runtime's reconcile time buckets.
const TIME_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25,
  1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];

/**
 * Creates (or reuses, if already on `registry`) controller-runtime's reconcile metrics and
 * returns handles bound to `controller`: `controller_runtime_reconcile_total{controller,result}`
 * (every result starts at 0, as in controller-runtime), `controller_runtime_reconcile_errors_total`,
 * `controller_runtime_reconcile_time_seconds`, `controller_runtime_active_workers` and
 * `controller_runtime_max_concurrent_reconciles`; and ours for read-your-writes,
 * `rxinformer_controller_write_visibility_seconds` and
 * `rxinformer_controller_write_visibility_timeouts_total`.
 *
 * @example
 * ```ts
 * import { reconcileMetrics } from '@rxinformer/metrics';
 *
 * const reconciles = reconcileMetrics(registry, 'website');
 * reconciles.maxConcurrentReconciles.set(4);
 * const done = reconciles.time.startTimer();
 * reconciles.activeWorkers.inc();
 * try {
 *   await reconcile(key);
 *   reconciles.total.success.inc();
 * } catch {
 *   reconciles.total.error.inc();
 *   reconciles.errors.inc();
 * } finally {
 *   reconciles.activeWorkers.dec();
 *   done();
 * }
 * ```
 *
 * @see {@link workQueueMetrics}
 * @see {@link ReconcileMetrics}
 */
export function reconcileMetrics(registry: MetricsRegistry, controller: string): ReconcileMetrics {
  const labelNames = ['controller'] as const;
  const labels = { controller };
  const total = counter(registry, {
    name: 'controller_runtime_reconcile_total',
    help: 'Total number of reconciliations per controller',
    labelNames: ['controller', 'result'],
  });
  const errors = counter(registry, {
    name: 'controller_runtime_reconcile_errors_total',
    help: 'Total number of reconciliation errors per controller',
    labelNames,
  });
  for (const result of RESULTS) total.inc({ controller, result }, 0);
  errors.inc(labels, 0);
  const visibilityTimeouts = counter(registry, {
    name: 'rxinformer_controller_write_visibility_timeouts_total',
    help: 'Reconciles whose own writes the caches did not show within the deadline, per controller',
    labelNames,
  });
  visibilityTimeouts.inc(labels, 0);
  return {
    total: Object.freeze({
      success: total.labels({ controller, result: 'success' }),
      error: total.labels({ controller, result: 'error' }),
      requeue: total.labels({ controller, result: 'requeue' }),
      requeue_after: total.labels({ controller, result: 'requeue_after' }),
    }),
    errors: errors.labels(labels),
    time: histogram(registry, {
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Length of time per reconciliation per controller',
      labelNames,
      buckets: TIME_BUCKETS,
    }).labels(labels),
    activeWorkers: gauge(registry, {
      name: 'controller_runtime_active_workers',
      help: 'Number of currently used workers per controller',
      labelNames,
    }).labels(labels),
    maxConcurrentReconciles: gauge(registry, {
      name: 'controller_runtime_max_concurrent_reconciles',
      help: 'Maximum number of concurrent reconciles per controller',
      labelNames,
    }).labels(labels),
    writeVisibility: histogram(registry, {
      name: 'rxinformer_controller_write_visibility_seconds',
      help: "Time from a reconcile's end until the caches showed its own writes, per controller",
      labelNames,
      buckets: TIME_BUCKETS,
    }).labels(labels),
    writeVisibilityTimeouts: visibilityTimeouts.labels(labels),
  };
}
