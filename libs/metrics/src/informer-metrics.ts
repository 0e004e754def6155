import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { counter, exponentialBuckets, gauge, histogram, type MetricsRegistry } from './registry-metrics.js';

/**
 * The informer metrics of one registry, as {@link informerMetrics} creates them. Every label
 * is a resource name, an event type, a phase or a reason: never an object's name or content.
 *
 * @example
 * ```ts
 * const metrics: InformerMetrics = informerMetrics(registry);
 * metrics.events.labels({ resource: 'pods', type: 'ADDED' }).inc();
 * ```
 *
 * @see {@link informerMetrics}
 */
export interface InformerMetrics {
  readonly registry: MetricsRegistry;
  /** The clock of durations, lags and ages. */
  readonly scheduler: SchedulerLike;
  /** `rxinformer_events_total{resource,type}` */
  readonly events: Counter<'resource' | 'type'>;
  /** `rxinformer_watch_restarts_total{resource,reason}` */
  readonly watchRestarts: Counter<'resource' | 'reason'>;
  /** `rxinformer_relists_total{resource,reason}` */
  readonly relists: Counter<'resource' | 'reason'>;
  /** `rxinformer_list_duration_seconds{resource}`: from entering listing/relisting to watching. */
  readonly listDuration: Histogram<'resource'>;
  /** `rxinformer_store_objects{resource}` */
  readonly storeObjects: Gauge<'resource'>;
  /** `rxinformer_informer_synced{resource}`: 1 once synced. */
  readonly synced: Gauge<'resource'>;
  /** `rxinformer_informer_phase{resource,phase}`: 1 for the current phase, 0 for the others. */
  readonly phase: Gauge<'resource' | 'phase'>;
  /** `rxinformer_seconds_since_last_event{resource}`, computed on each scrape. */
  readonly secondsSinceLastEvent: Gauge<'resource'>;
  /** `rxinformer_seconds_since_last_bookmark{resource}`, computed on each scrape. */
  readonly secondsSinceLastBookmark: Gauge<'resource'>;
  /** `rxinformer_event_delivery_lag_seconds{resource}` */
  readonly deliveryLag: Histogram<'resource'>;
  /** `rxinformer_batch_size{resource}` */
  readonly batchSize: Histogram<'resource'>;
  /** `rxinformer_batch_flush_seconds{resource}` */
  readonly batchFlush: Histogram<'resource'>;
}

/**
 * Options of {@link informerMetrics}.
 *
 * @example
 * ```ts
 * const testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
 * informerMetrics(registry, { scheduler: testScheduler });
 * ```
 *
 * @see {@link informerMetrics}
 */
export interface InformerMetricsOptions {
  /** The clock of durations, lags and ages; use the informer factory's. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

/** When each instrumented resource last saw an event and a bookmark (epoch ms). */
export interface ResourceTimes {
  lastEventAt: number | undefined;
  lastBookmarkAt: number | undefined;
}

/**
 * Event counts of one resource label not yet added to `rxinformer_events_total`: an event costs
 * an array increment, and the counter catches up on each scrape (its `collect`).
 */
export interface EventTally {
  readonly counts: number[];
  readonly children: readonly Counter.Internal[];
}

const created = new WeakMap<MetricsRegistry, InformerMetrics>();
const times = new WeakMap<InformerMetrics, Map<string, ResourceTimes>>();
const tallies = new WeakMap<InformerMetrics, Map<string, EventTally>>();
const EVENT_TYPES = ['ADDED', 'MODIFIED', 'DELETED', 'RESYNC', 'SYNCED'] as const;

/**
 * The tally of one resource label, indexed like ADDED, MODIFIED, DELETED, RESYNC, SYNCED;
 * `undefined` when the events counter was registered by someone else and never flushes one.
 */
export function eventTally(metrics: InformerMetrics, resource: string): EventTally | undefined {
  const map = tallies.get(metrics);
  if (map === undefined) return undefined;
  let tally = map.get(resource);
  if (tally === undefined) {
    // Every type's series exists from the start, so rate() works before its first event.
    const children = EVENT_TYPES.map((type) => metrics.events.labels({ resource, type }));
    for (const child of children) child.inc(0);
    map.set(resource, (tally = { counts: EVENT_TYPES.map(() => 0), children }));
  }
  return tally;
}

function flushTallies(metrics: InformerMetrics): void {
  for (const { counts, children } of tallies.get(metrics)?.values() ?? []) {
    for (let i = 0; i < counts.length; i++) {
      const n = counts[i] ?? 0;
      if (n > 0) {
        counts[i] = 0;
        children[i]?.inc(n);
      }
    }
  }
}

/** The per-resource times the age gauges read on each scrape. */
export function resourceTimes(metrics: InformerMetrics): Map<string, ResourceTimes> {
  let map = times.get(metrics);
  if (map === undefined) times.set(metrics, (map = new Map()));
  return map;
}

/**
 * Creates the informer metrics on `registry` (never the global registry), or returns the ones
 * already created there: calling it twice, from two places, is safe and shares the metrics
 * (the first call's options win). Feed them with {@link instrumentInformer},
 * {@link measureEvents} and {@link measureBatches}.
 *
 * | metric | type | labels |
 * |---|---|---|
 * | `rxinformer_events_total` | counter | resource, type |
 * | `rxinformer_watch_restarts_total` | counter | resource, reason |
 * | `rxinformer_relists_total` | counter | resource, reason |
 * | `rxinformer_list_duration_seconds` | histogram | resource |
 * | `rxinformer_store_objects` | gauge | resource |
 * | `rxinformer_informer_synced` | gauge | resource |
 * | `rxinformer_informer_phase` | gauge | resource, phase |
 * | `rxinformer_seconds_since_last_event` | gauge | resource |
 * | `rxinformer_seconds_since_last_bookmark` | gauge | resource |
 * | `rxinformer_event_delivery_lag_seconds` | histogram | resource |
 * | `rxinformer_batch_size` | histogram | resource |
 * | `rxinformer_batch_flush_seconds` | histogram | resource |
 *
 * @example
 * ```ts
 * import { Registry } from 'prom-client';
 * import { informerMetrics, instrumentInformer, measureEvents } from '@rxinformer/metrics';
 *
 * const registry = new Registry();
 * const metrics = informerMetrics(registry);
 * instrumentInformer(pods, metrics);
 * pods.events$.pipe(measureEvents(metrics, 'pods')).subscribe(handle);
 * ```
 *
 * @see {@link instrumentInformer}
 * @see {@link measureEvents}
 * @see {@link metricsHandler}
 */
export function informerMetrics(
  registry: MetricsRegistry,
  options: InformerMetricsOptions = {},
): InformerMetrics {
  const known = created.get(registry);
  if (known) return known;
  const scheduler = options.scheduler ?? asyncScheduler;
  const resource = ['resource'] as const;
  const age = (name: string, help: string, pick: (t: ResourceTimes) => number | undefined) =>
    gauge(registry, {
      name,
      help,
      labelNames: resource,
      collect(this: Gauge<'resource'>) {
        const now = scheduler.now();
        for (const [label, t] of resourceTimes(metrics)) {
          const at = pick(t);
          if (at !== undefined) this.set({ resource: label }, Math.max(0, now - at) / 1000);
        }
      },
    });
  // Only a counter created here runs our collect, which tallied counts need.
  const flushes = registry.getSingleMetric('rxinformer_events_total') === undefined;
  const events = counter(registry, {
    name: 'rxinformer_events_total',
    help: 'Informer events delivered, by resource and type',
    labelNames: ['resource', 'type'],
    collect: () => flushTallies(metrics),
  });
  const metrics: InformerMetrics = {
    registry,
    scheduler,
    events,
    watchRestarts: counter(registry, {
      name: 'rxinformer_watch_restarts_total',
      help: 'WATCH connections reopened, by reason',
      labelNames: ['resource', 'reason'],
    }),
    relists: counter(registry, {
      name: 'rxinformer_relists_total',
      help: 'LISTs after the first one (410 Gone, server restarts), by reason',
      labelNames: ['resource', 'reason'],
    }),
    listDuration: histogram(registry, {
      name: 'rxinformer_list_duration_seconds',
      help: 'Time from starting a LIST (or relist) to watching',
      labelNames: resource,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    }),
    storeObjects: gauge(registry, {
      name: 'rxinformer_store_objects',
      help: 'Objects in the informer cache',
      labelNames: resource,
    }),
    synced: gauge(registry, {
      name: 'rxinformer_informer_synced',
      help: '1 once the informer cache has synced',
      labelNames: resource,
    }),
    phase: gauge(registry, {
      name: 'rxinformer_informer_phase',
      help: '1 for the phase the informer is in',
      labelNames: ['resource', 'phase'],
    }),
    secondsSinceLastEvent: age(
      'rxinformer_seconds_since_last_event',
      'Seconds since the last ADDED/MODIFIED/DELETED from the server',
      (t) => t.lastEventAt,
    ),
    secondsSinceLastBookmark: age(
      'rxinformer_seconds_since_last_bookmark',
      'Seconds since the last BOOKMARK from the server',
      (t) => t.lastBookmarkAt,
    ),
    deliveryLag: histogram(registry, {
      name: 'rxinformer_event_delivery_lag_seconds',
      help: 'Time from an object change (per timestampOf) to its event being delivered',
      labelNames: resource,
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    }),
    batchSize: histogram(registry, {
      name: 'rxinformer_batch_size',
      help: 'Values per emitted batch',
      labelNames: resource,
      buckets: exponentialBuckets(1, 2, 12),
    }),
    batchFlush: histogram(registry, {
      name: 'rxinformer_batch_flush_seconds',
      help: 'Time the consumer took to handle a batch',
      labelNames: resource,
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
  };
  if (flushes) tallies.set(metrics, new Map());
  created.set(registry, metrics);
  return metrics;
}
