import type { Counter, Gauge, Histogram } from 'prom-client';
import { counter, exponentialBuckets, gauge, histogram, type MetricsRegistry } from './registry-metrics.js';

/**
 * The metrics of one work queue, bound to its `name` label, in controller-runtime's
 * `workqueue_*` family so existing dashboards and alerts work unchanged.
 *
 * @example
 * ```ts
 * const queue: WorkQueueMetrics = workQueueMetrics(registry, 'websites');
 * queue.adds.inc();
 * queue.depth.inc();
 * ```
 *
 * @see {@link workQueueMetrics}
 */
export interface WorkQueueMetrics {
  /** `workqueue_depth{name}`: items waiting. */
  readonly depth: Gauge.Internal<'name'>;
  /** `workqueue_adds_total{name}`: items added. */
  readonly adds: Counter.Internal;
  /** `workqueue_queue_duration_seconds{name}`: time an item waited before being taken. */
  readonly queueDuration: Histogram.Internal<'name'>;
  /** `workqueue_work_duration_seconds{name}`: time processing an item took. */
  readonly workDuration: Histogram.Internal<'name'>;
  /** `workqueue_retries_total{name}`: rate-limited re-adds. */
  readonly retries: Counter.Internal;
  /** `workqueue_unfinished_work_seconds{name}`: seconds of work in progress not yet observed by work_duration. */
  readonly unfinishedWork: Gauge.Internal<'name'>;
  /** `workqueue_longest_running_processor_seconds{name}`: how long the longest running item has been processed. */
  readonly longestRunningProcessor: Gauge.Internal<'name'>;
}

// controller-runtime's buckets: 10 ns to 1000 s.
const DURATION_BUCKETS = exponentialBuckets(1e-8, 10, 12);

/**
 * Creates (or reuses, if already on `registry`) the `workqueue_*` metrics and returns handles
 * bound to the queue `name`, named and labelled as controller-runtime names them:
 * `workqueue_depth`, `workqueue_adds_total`, `workqueue_queue_duration_seconds`,
 * `workqueue_work_duration_seconds`, `workqueue_retries_total`,
 * `workqueue_unfinished_work_seconds`, `workqueue_longest_running_processor_seconds`, all with
 * the label `name`. The work queue updates them; the two `*_seconds` gauges are set by the queue
 * (controller-runtime refreshes them every 500 ms). Calling it again for the same name returns
 * handles to the same series.
 *
 * @example
 * ```ts
 * import { Registry } from 'prom-client';
 * import { workQueueMetrics } from '@rxinformer/metrics';
 *
 * const queue = workQueueMetrics(new Registry(), 'websites');
 * queue.adds.inc();
 * queue.depth.inc();
 * const waited = queue.queueDuration.startTimer();
 * // … when a worker takes the item:
 * waited();
 * queue.depth.dec();
 * ```
 *
 * @see {@link reconcileMetrics}
 * @see {@link WorkQueueMetrics}
 */
export function workQueueMetrics(registry: MetricsRegistry, name: string): WorkQueueMetrics {
  const labelNames = ['name'] as const;
  const labels = { name };
  const depth = gauge(registry, { name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames });
  const adds = counter(registry, {
    name: 'workqueue_adds_total',
    help: 'Total number of adds handled by workqueue',
    labelNames,
  });
  const retries = counter(registry, {
    name: 'workqueue_retries_total',
    help: 'Total number of retries handled by workqueue',
    labelNames,
  });
  // Series appear at 0 from the start, so rate() and alerts work before the first item.
  depth.set(labels, 0);
  adds.inc(labels, 0);
  retries.inc(labels, 0);
  return {
    depth: depth.labels(labels),
    adds: adds.labels(labels),
    retries: retries.labels(labels),
    queueDuration: histogram(registry, {
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested',
      labelNames,
      buckets: DURATION_BUCKETS,
    }).labels(labels),
    workDuration: histogram(registry, {
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes.',
      labelNames,
      buckets: DURATION_BUCKETS,
    }).labels(labels),
    unfinishedWork: gauge(registry, {
      name: 'workqueue_unfinished_work_seconds',
      help: "How many seconds of work has been done that is in progress and hasn't been observed by work_duration. Large values indicate stuck threads.",
      labelNames,
    }).labels(labels),
    longestRunningProcessor: gauge(registry, {
      name: 'workqueue_longest_running_processor_seconds',
      help: 'How many seconds has the longest running processor for workqueue been running.',
      labelNames,
    }).labels(labels),
  };
}
