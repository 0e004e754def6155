import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import type { InformerMetrics } from './informer-metrics.js';

/**
 * Observes each batch's size in `rxinformer_batch_size{resource}` and the time its
 * subscribers took to handle it (from emitting it downstream until that call returned, on the
 * metrics' clock) in `rxinformer_batch_flush_seconds{resource}`, and passes the batch on
 * unchanged. Place it right after the batching operator, before the consumer. For an async
 * consumer (`consumeWith`), time the handler instead: `metrics.batchFlush.startTimer()`. A
 * value that is not an array is passed on unmeasured: it never makes the stream throw.
 *
 * ```
 * source:  -x---y-|   (x = [a, b, c], y = [d])
 * result:  -x---y-|   (batch_size: one observation of 3, one of 1)
 * ```
 *
 * @example
 * ```ts
 * import { batchEvents } from '@rxinformer/batching';
 * import { informerMetrics, measureBatches } from '@rxinformer/metrics';
 *
 * declare function writeAll(events: readonly unknown[]): void; // yours
 *
 * pods.events$
 *   .pipe(batchEvents({ maxSize: 500, maxWait: 100 }), measureBatches(informerMetrics(registry), 'pods'))
 *   .subscribe((batch) => writeAll(batch));
 * ```
 *
 * @see {@link informerMetrics}
 * @see {@link measureEvents}
 */
export function measureBatches<B extends readonly unknown[]>(
  metrics: InformerMetrics,
  resourceLabel: string,
): MonoTypeOperatorFunction<B> {
  const size = metrics.batchSize.labels({ resource: resourceLabel });
  const flush = metrics.batchFlush.labels({ resource: resourceLabel });
  const { scheduler } = metrics;
  return (source) =>
    new Observable<B>((subscriber) =>
      source.subscribe({
        next: (batch) => {
          // A value that is not an array passes on unmeasured: metrics never break the stream.
          const n: unknown = (batch as { length?: unknown } | null | undefined)?.length;
          if (typeof n !== 'number') return subscriber.next(batch);
          size.observe(n);
          const start = scheduler.now();
          subscriber.next(batch);
          flush.observe(Math.max(0, scheduler.now() - start) / 1000);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      }),
    );
}
