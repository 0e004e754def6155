import {
  userCodeReporter,
  type InformerEvent,
  type KubeObject,
  type Logger,
  type UserCodeError,
} from '@rxinformer/core';
import {
  asyncScheduler,
  Observable,
  type MonoTypeOperatorFunction,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import { isEnabled, type LevelOption } from './levels.js';

type EventType = InformerEvent['type'];

/**
 * Options of {@link logEvents}.
 *
 * @example
 * ```ts
 * const options: LogEventsOptions = { resource: 'pods', levels: { MODIFIED: 'trace' }, maxPerSecond: 20 };
 * ```
 *
 * @see {@link logEvents}
 */
export interface LogEventsOptions {
  /** The level of each event type. Default: ADDED, MODIFIED, DELETED `debug`; RESYNC `trace`; SYNCED `info`. */
  readonly levels?: Readonly<Partial<Record<EventType, LevelOption>>>;
  /** Added to every line as `resource`, such as `resourceName(Pods)`. */
  readonly resource?: string;
  /** At most this many lines per event type per second; the rest are counted and summed up in one line. */
  readonly maxPerSecond?: number;
  /** The clock of the sampling windows. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** The level at which an error of the stream is logged. Default `'error'`. */
  readonly errorLevel?: LevelOption;
  /**
   * Called when a line cannot be written (the logger or its `isLevelEnabled` throws, or an
   * event's fields cannot be read), with a `UserCodeError` (naming the event's object by
   * `namespace/name`, never its content; the throw as `cause`) and the running count of
   * failures of this subscription. The event passes on unchanged either way; a throwing
   * `onError` is ignored.
   *
   * @example
   * ```ts
   * pods.events$
   *   .pipe(logEvents(logger, { onError: (e, n) => n % 1000 === 1 && console.warn(`${n} log lines lost:`, e.message) }))
   *   .subscribe(handle);
   * ```
   */
  readonly onError?: (error: UserCodeError, failures: number) => void;
}

const TYPES: readonly EventType[] = ['ADDED', 'MODIFIED', 'DELETED', 'RESYNC', 'SYNCED'];
const INDEX: Readonly<Record<EventType, number>> = {
  ADDED: 0,
  MODIFIED: 1,
  DELETED: 2,
  RESYNC: 3,
  SYNCED: 4,
};
const DEFAULT_LEVELS: Readonly<Record<EventType, LevelOption>> = {
  ADDED: 'debug',
  MODIFIED: 'debug',
  DELETED: 'debug',
  RESYNC: 'trace',
  SYNCED: 'info',
};
const WINDOW_MS = 1000;

/** One sampling window of one event type. */
interface Window {
  readonly type: EventType;
  readonly level: LevelOption;
  start: number;
  logged: number;
  suppressed: number;
  report: Subscription | undefined;
}

/**
 * Logs each informer event and passes it on unchanged: one line with `type`, `kind`,
 * `namespace`, `name` and `resourceVersion` (plus `initial`, `finalStateUnknown`, or `size`
 * for SYNCED), at a level chosen per event type. Objects themselves are never logged.
 *
 * With `maxPerSecond`, at most that many lines per event type are written in each one-second
 * window (started by the window's first event); the events over the limit are counted and,
 * when the window ends, one line says how many were suppressed (`{ type, suppressed }`).
 * Completion and errors write any pending count at once; an error is logged at `errorLevel`
 * and forwarded. Levels the logger has disabled (pino's `isLevelEnabled`) cost no allocation.
 *
 * Logging never breaks the data path: when the logger throws (or an event cannot be read),
 * the event is still passed on unchanged, completion and errors are still forwarded, and the
 * summary timer never throws; the failure goes to `onError` as a `UserCodeError`.
 *
 * ```
 * source:  a 99ms b 99ms c 99ms d 1s |   (a..d: ADDED; maxPerSecond: 2)
 * logged:  a 99ms b 899ms S             (S: "suppressed 2 ADDED events", when the window ends at 1000 ms)
 * result:  a 99ms b 99ms c 99ms d 1s |
 * ```
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * import { logEvents } from '@rxinformer/logging';
 *
 * pods.events$
 *   .pipe(logEvents(pino({ level: 'debug' }), { resource: 'pods', maxPerSecond: 50 }))
 *   .subscribe(handle);
 * ```
 *
 * @see {@link logHealth}
 * @see {@link LogEventsOptions}
 */
export function logEvents<T extends KubeObject>(
  logger: Logger,
  options: LogEventsOptions = {},
): MonoTypeOperatorFunction<InformerEvent<T>> {
  const levels = { ...DEFAULT_LEVELS, ...options.levels };
  const limit = options.maxPerSecond ?? Infinity;
  const scheduler = options.scheduler ?? asyncScheduler;
  const resource = options.resource;
  const errorLevel = options.errorLevel ?? 'error';

  const write = (level: LevelOption, event: InformerEvent<T>): void => {
    if (level === 'silent') return;
    if (event.type === 'SYNCED') {
      logger[level](
        { type: event.type, resource, size: event.size, resourceVersion: event.resourceVersion },
        'SYNCED',
      );
      return;
    }
    const { kind, metadata } = event.object;
    const fields: Record<string, unknown> = {
      type: event.type,
      resource,
      kind,
      namespace: metadata?.namespace,
      name: metadata?.name,
      resourceVersion: metadata?.resourceVersion,
    };
    if (event.type === 'ADDED') fields.initial = event.initial;
    else if (event.type === 'DELETED') fields.finalStateUnknown = event.finalStateUnknown;
    const key = metadata?.namespace ? `${metadata.namespace}/${metadata.name ?? ''}` : (metadata?.name ?? '');
    logger[level](fields, `${event.type} ${kind ?? resource ?? ''} ${key}`);
  };

  return (source) =>
    new Observable<InformerEvent<T>>((subscriber) => {
      const fail = userCodeReporter(options.onError);
      const windows: Window[] = TYPES.map((type) => ({
        type,
        level: levels[type],
        start: -Infinity,
        logged: 0,
        suppressed: 0,
        report: undefined,
      }));
      const report = (w: Window): void => {
        w.report?.unsubscribe();
        w.report = undefined;
        const n = w.suppressed;
        w.suppressed = 0;
        if (n > 0 && w.level !== 'silent')
          logger[w.level]({ type: w.type, resource, suppressed: n }, `suppressed ${n} ${w.type} events`);
      };
      const reportSafely = (w: Window): void => {
        try {
          report(w);
        } catch (err) {
          fail('logEvents logger', undefined, err);
        }
      };
      const log = (event: InformerEvent<T>): void => {
        const w = windows[INDEX[event.type]];
        if (!w || !isEnabled(logger, w.level)) return;
        if (limit === Infinity) return write(w.level, event);
        const now = scheduler.now();
        if (now - w.start >= WINDOW_MS) {
          report(w);
          w.start = now;
          w.logged = 0;
        }
        if (w.logged < limit) {
          w.logged++;
          write(w.level, event);
        } else if (w.suppressed++ === 0) {
          w.report = scheduler.schedule(() => reportSafely(w), w.start + WINDOW_MS - now);
        }
      };
      const subscription = source.subscribe({
        next: (event) => {
          try {
            log(event);
          } catch (err) {
            fail('logEvents logger', event, err);
          }
          subscriber.next(event);
        },
        error: (err: unknown) => {
          windows.forEach(reportSafely);
          try {
            if (errorLevel !== 'silent') logger[errorLevel]({ err, resource }, 'informer events failed');
          } catch (failure) {
            fail('logEvents logger', undefined, failure);
          }
          subscriber.error(err);
        },
        complete: () => {
          windows.forEach(reportSafely);
          subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        for (const w of windows) w.report?.unsubscribe();
      };
    });
}
