import {
  userCodeReporter,
  type InformerEvent,
  type KubeObject,
  type ObjectEvent,
  type UserCodeError,
} from '@rxinformer/core';
import { defer, tap, type MonoTypeOperatorFunction } from 'rxjs';
import { eventTally, type InformerMetrics } from './informer-metrics.js';

const TYPES = ['ADDED', 'MODIFIED', 'DELETED', 'RESYNC', 'SYNCED'] as const;
const INDEX: Readonly<Record<InformerEvent['type'], number>> = {
  ADDED: 0,
  MODIFIED: 1,
  DELETED: 2,
  RESYNC: 3,
  SYNCED: 4,
};

/**
 * Options of {@link measureEvents}.
 *
 * @example
 * ```ts
 * const options: MeasureEventsOptions<Wire<V1Pod>> = { timestampOf: (e) => lastWriteTime(e.object) };
 * ```
 *
 * @see {@link measureEvents}
 */
export interface MeasureEventsOptions<T extends KubeObject> {
  /**
   * When the change an event reports happened (epoch ms), or `undefined` when unknown: turns
   * on `rxinformer_event_delivery_lag_seconds`. Asked for live changes only (ADDED that is not
   * `initial`, MODIFIED, DELETED), never for the replayed cache or RESYNC.
   */
  readonly timestampOf?: (event: ObjectEvent<T>) => number | undefined;
  /**
   * Called when `timestampOf` throws or returns something that is neither a number nor
   * `undefined`, with a `UserCodeError` (naming the event's object by `namespace/name`, never
   * its content; the throw as `cause`) and the running count of failures of this subscription.
   * The event is still counted and passed on; only its lag is not observed. A throwing
   * `onError` is ignored.
   *
   * @example
   * ```ts
   * events$.pipe(measureEvents(metrics, 'pods', { timestampOf: (e) => lastWriteTime(e.object), onError: (e) => console.warn(e.message) }));
   * ```
   */
  readonly onError?: (error: UserCodeError, failures: number) => void;
}

/**
 * Counts each event in `rxinformer_events_total{resource,type}` and passes it on unchanged;
 * with `timestampOf`, also observes the delivery lag (now minus that time, on the metrics'
 * clock). Cheap enough for every event: the series of every type are created (at 0) when the
 * operator is, and an event costs an increment of a plain number that the counter adds up on
 * each scrape (or, if another copy of this library registered the counter, one `inc()` of a
 * pre-bound child), plus one `observe()` with `timestampOf`. Errors and completion pass through.
 * It never throws into the stream: a `timestampOf` that throws (or returns something that is not
 * a number) costs that event its lag observation only, and is reported to `onError`.
 *
 * ```
 * source:  -a-m-d-S-|   (ADDED, MODIFIED, DELETED, SYNCED)
 * result:  -a-m-d-S-|   (events_total{type="ADDED"} 1, … {type="SYNCED"} 1)
 * ```
 *
 * @example
 * ```ts
 * import { informerMetrics, lastWriteTime, measureEvents } from '@rxinformer/metrics';
 *
 * const metrics = informerMetrics(registry);
 * pods.events$
 *   .pipe(measureEvents(metrics, 'pods', { timestampOf: (e) => lastWriteTime(e.object) }))
 *   .subscribe(handle);
 * ```
 *
 * @see {@link informerMetrics}
 * @see {@link lastWriteTime}
 * @see {@link measureBatches}
 */
export function measureEvents<T extends KubeObject>(
  metrics: InformerMetrics,
  resourceLabel: string,
  options: MeasureEventsOptions<T> = {},
): MonoTypeOperatorFunction<InformerEvent<T>> {
  const tally = eventTally(metrics, resourceLabel);
  // Without a tally (the counter came from elsewhere), count straight into pre-bound children.
  const children = tally
    ? undefined
    : TYPES.map((type) => metrics.events.labels({ resource: resourceLabel, type }));
  const counts = tally?.counts;
  const { timestampOf, onError } = options;
  const lag = metrics.deliveryLag.labels({ resource: resourceLabel });
  const { scheduler } = metrics;
  return (source) =>
    defer(() => {
      const fail = userCodeReporter(onError);
      return source.pipe(
        tap((event) => {
          const i = INDEX[event.type];
          if (counts) counts[i] = (counts[i] ?? 0) + 1;
          else children?.[i]?.inc();
          if (timestampOf === undefined || event.type === 'SYNCED' || event.type === 'RESYNC') return;
          if (event.type === 'ADDED' && event.initial) return;
          let at: unknown;
          try {
            at = timestampOf(event);
          } catch (err) {
            return fail('measureEvents timestampOf', event, err);
          }
          if (typeof at === 'number') {
            if (Number.isFinite(at)) lag.observe(Math.max(0, scheduler.now() - at) / 1000);
          } else if (at !== undefined) {
            fail(
              'measureEvents timestampOf',
              event,
              new TypeError(`returned ${at === null ? 'null' : typeof at}, not a number`),
            );
          }
        }),
      );
    });
}
