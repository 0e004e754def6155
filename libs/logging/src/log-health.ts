import { userCodeReporter, type InformerHealth, type Logger, type UserCodeError } from '@rxinformer/core';
import { defer, tap, type MonoTypeOperatorFunction } from 'rxjs';
import { isEnabled, type LevelOption } from './levels.js';

/**
 * A change {@link logHealth} writes a line for: entering a phase, the first sync, or a watch
 * restart that did not change the phase.
 *
 * @example
 * ```ts
 * const quiet: Partial<Record<HealthTransition, LevelOption>> = { restarted: 'silent', listing: 'debug' };
 * ```
 *
 * @see {@link logHealth}
 */
export type HealthTransition =
  'idle' | 'listing' | 'watching' | 'backoff' | 'relisting' | 'failed' | 'synced' | 'restarted';

/**
 * Options of {@link logHealth}.
 *
 * @example
 * ```ts
 * pods.health$.pipe(logHealth(logger, { levels: { relisting: 'warn' } })).subscribe();
 * ```
 *
 * @see {@link logHealth}
 */
export interface LogHealthOptions {
  /** The level of each transition. Default: backoff `warn`, failed `error`, idle and restarted `debug`, others `info`. */
  readonly levels?: Readonly<Partial<Record<HealthTransition, LevelOption>>>;
  /**
   * Called when a line cannot be written (the logger or its `isLevelEnabled` throws), with a
   * `UserCodeError` (the throw as `cause`) and the running count of failures of this
   * subscription. The snapshot passes on unchanged either way; a throwing `onError` is ignored.
   *
   * @example
   * ```ts
   * pods.health$.pipe(logHealth(logger, { onError: (e) => console.warn(e.message) })).subscribe();
   * ```
   */
  readonly onError?: (error: UserCodeError, failures: number) => void;
}

const DEFAULT_LEVELS: Readonly<Record<HealthTransition, LevelOption>> = {
  idle: 'debug',
  listing: 'info',
  watching: 'info',
  backoff: 'warn',
  relisting: 'info',
  failed: 'error',
  synced: 'info',
  restarted: 'debug',
};

type Line = readonly [HealthTransition, Record<string, unknown>, string];

function phaseLine(prev: InformerHealth | undefined, h: InformerHealth): Line {
  switch (h.phase) {
    case 'idle':
      return ['idle', { phase: h.phase }, 'stopped'];
    case 'listing':
      return [
        'listing',
        { phase: h.phase, attempt: h.attempt },
        h.attempt > 0 ? `listing (attempt ${h.attempt + 1})` : 'listing',
      ];
    case 'watching':
      return [
        'watching',
        { phase: h.phase, resourceVersion: h.resourceVersion, size: h.size },
        prev?.phase === 'relisting'
          ? 'relisted, watching'
          : prev && prev.attempt > 0
            ? 'reconnected, watching'
            : 'watching',
      ];
    case 'backoff':
      return [
        'backoff',
        { phase: h.phase, attempt: h.attempt, retryAt: h.retryAt, reason: h.lastReason, err: h.lastError },
        `backing off after ${h.attempt} failed attempt${h.attempt === 1 ? '' : 's'}: ${h.lastError?.message ?? h.lastReason ?? 'unknown error'}`,
      ];
    case 'relisting':
      return [
        'relisting',
        { phase: h.phase, reason: h.lastReason, relists: h.relists },
        `relisting: ${h.lastReason ?? 'unknown reason'}`,
      ];
    case 'failed':
      return [
        'failed',
        { phase: h.phase, err: h.lastError },
        `failed: ${h.lastError?.message ?? 'unknown error'}`,
      ];
  }
}

/**
 * Logs an informer's `health$` on transitions only, and passes every snapshot on unchanged:
 * entering a phase (listing; watching, with the resourceVersion and cache size; backoff, with
 * the attempt, the error and when it retries; relisting, with the reason; failed, with the
 * error; idle), the first sync (one `synced` line instead of `watching`), and a watch restart
 * that kept the phase (`restarted`, with the reason). Snapshots that only refresh counters or
 * timestamps write nothing. Levels are per transition (see {@link LogHealthOptions}).
 * Logging never breaks the data path: when the logger throws, the snapshot is still passed on
 * unchanged and the next transition is still logged; the failure goes to `onError`.
 *
 * ```
 * health$:  -L-W-w-w-B-L-W-|   (L listing, W watching, w same phase, B backoff)
 * logged:   -l-s-----b-l-r-|   (l "listing", s "synced 3 objects", b "backing off…", r "reconnected, watching")
 * result:   -L-W-w-w-B-L-W-|
 * ```
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * import { resourceName } from '@rxinformer/core';
 * import { logHealth } from '@rxinformer/logging';
 *
 * const log = pino().child({ resource: resourceName(pods.resource) });
 * pods.health$.pipe(logHealth(log)).subscribe();
 * ```
 *
 * @see {@link logEvents}
 * @see {@link HealthTransition}
 */
export function logHealth(
  logger: Logger,
  options: LogHealthOptions = {},
): MonoTypeOperatorFunction<InformerHealth> {
  const levels = { ...DEFAULT_LEVELS, ...options.levels };
  return (source) =>
    defer(() => {
      const fail = userCodeReporter(options.onError);
      const write = ([transition, fields, message]: Line): void => {
        const level = levels[transition];
        try {
          if (level !== 'silent' && isEnabled(logger, level)) logger[level](fields, message);
        } catch (err) {
          fail('logHealth logger', undefined, err);
        }
      };
      let prev: InformerHealth | undefined;
      return source.pipe(
        tap((h) => {
          try {
            const synced = h.synced && !prev?.synced;
            const phaseChanged =
              h.phase !== prev?.phase || (h.phase === 'backoff' && h.attempt !== prev.attempt);
            if (synced) {
              write([
                'synced',
                { phase: h.phase, size: h.size, resourceVersion: h.resourceVersion },
                `synced ${h.size} objects`,
              ]);
            }
            // The first snapshot of an informer nobody started yet is not a transition to "stopped".
            const initialIdle = prev === undefined && h.phase === 'idle';
            if (phaseChanged && !initialIdle && !(synced && h.phase === 'watching'))
              write(phaseLine(prev, h));
            else if (!phaseChanged && prev && h.restarts > prev.restarts) {
              write([
                'restarted',
                { phase: h.phase, reason: h.lastReason, restarts: h.restarts },
                `watch restarted: ${h.lastReason ?? 'unknown reason'}`,
              ]);
            }
          } catch (err) {
            // A snapshot whose fields cannot be read: its lines are lost, never the snapshot.
            fail('logHealth', undefined, err);
          }
          prev = h;
        }),
      );
    });
}
