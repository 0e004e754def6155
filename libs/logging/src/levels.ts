/**
 * A log level, from the most verbose to the most severe, as pino names them.
 *
 * @example
 * ```ts
 * const level: LogLevel = process.env.DEBUG ? 'debug' : 'info';
 * const log = consoleLogger({ level });
 * ```
 *
 * @see {@link consoleLogger}
 */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/**
 * A level a message can be configured to log at: a {@link LogLevel}, or `'silent'` to not log it.
 *
 * @example
 * ```ts
 * events$.pipe(logEvents(logger, { levels: { RESYNC: 'silent' } }));
 * ```
 *
 * @see {@link logEvents}
 * @see {@link logHealth}
 */
export type LevelOption = LogLevel | 'silent';

/** pino's numeric levels, so JSON lines read the same as pino's. */
export const levelValues: Readonly<Record<LevelOption, number>> = Object.freeze({
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Infinity,
});

/** pino's `isLevelEnabled`, when the logger has one: lets operators skip building fields. */
interface LevelAware {
  isLevelEnabled?: (level: string) => boolean;
}

/** Whether a line at `level` would be written: `'silent'` never is, and a level-aware logger decides. */
export function isEnabled(logger: object, level: LevelOption): boolean {
  if (level === 'silent') return false;
  const check = (logger as LevelAware).isLevelEnabled;
  return typeof check === 'function' ? check.call(logger, level) : true;
}
