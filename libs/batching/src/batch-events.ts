import {
  asyncScheduler,
  Observable,
  type OperatorFunction,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';

/**
 * Options of {@link batchEvents}.
 *
 * @example
 * ```ts
 * const options: BatchOptions = { maxSize: 500, maxWait: 100 };
 * ```
 *
 * @see {@link batchEvents}
 */
export interface BatchOptions {
  /** A batch is emitted as soon as it holds this many values (a positive integer). */
  readonly maxSize: number;
  /** A batch is emitted at most this many ms after its first value arrived; `Infinity` for size only. */
  readonly maxWait: number;
  /** Schedules the `maxWait` timer. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

/**
 * Groups values into arrays, emitting a batch when it reaches `maxSize` values or `maxWait` ms
 * after its first value arrived, whichever comes first. Unlike `bufferTime`, the timer starts
 * with a batch's first value (no periodic timer on an idle stream), an empty batch is never
 * emitted, and nothing is lost at the end: on completion the pending batch is emitted, then
 * the completion; on error the pending batch is emitted, then the error (so a consumer sees
 * every value the source delivered). Unsubscribing drops the pending batch and its timer.
 *
 * ```
 * source:   -a-b-c-d-----e-|       (maxSize: 3, maxWait: 4 frames)
 * result:   -----x-----y---(z|)    (x = [a,b,c] by size, y = [d] by time, z = [e] on completion)
 * ```
 *
 * @example
 * ```ts
 * import { batchEvents } from '@rxinformer/batching';
 *
 * declare const db: { bulkWrite(events: readonly unknown[]): Promise<void> }; // your database
 *
 * pods.events$
 *   .pipe(batchEvents({ maxSize: 500, maxWait: 100 }))
 *   .subscribe((batch) => db.bulkWrite(batch));
 * ```
 *
 * @see {@link coalesceByKey}
 * @see {@link BatchOptions}
 */
export function batchEvents<T>(options: BatchOptions): OperatorFunction<T, T[]> {
  const { maxSize, maxWait } = options;
  if (!Number.isInteger(maxSize) || maxSize < 1)
    throw new RangeError(`batchEvents: maxSize must be a positive integer, got ${maxSize}`);
  if (!(maxWait >= 0)) throw new RangeError(`batchEvents: maxWait must be >= 0, got ${maxWait}`);
  const scheduler = options.scheduler ?? asyncScheduler;

  return (source) =>
    new Observable<T[]>((subscriber) => {
      let batch: T[] = [];
      let timer: Subscription | undefined;
      const flush = (): void => {
        timer?.unsubscribe();
        timer = undefined;
        if (batch.length === 0) return;
        const full = batch;
        batch = [];
        subscriber.next(full);
      };
      const subscription = source.subscribe({
        next: (value) => {
          batch.push(value);
          if (batch.length >= maxSize) flush();
          else if (batch.length === 1 && maxWait !== Infinity) timer = scheduler.schedule(flush, maxWait);
        },
        error: (err: unknown) => {
          flush();
          subscriber.error(err);
        },
        complete: () => {
          flush();
          subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        timer?.unsubscribe();
        batch = [];
      };
    });
}
