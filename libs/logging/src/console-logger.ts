import type { LogFn, Logger } from '@rxinformer/core';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { levelValues, type LevelOption, type LogLevel } from './levels.js';
import { errorKind } from './error-kind.js';

/**
 * Options of {@link consoleLogger}.
 *
 * @example
 * ```ts
 * const options: ConsoleLoggerOptions = { level: 'debug', format: 'pretty' };
 * ```
 *
 * @see {@link consoleLogger}
 */
export interface ConsoleLoggerOptions {
  /** The least severe level written. Default `'info'`. */
  readonly level?: LevelOption;
  /** `'json'`: one pino-compatible JSON object a line (default). `'pretty'`: `time LEVEL message {fields}`. */
  readonly format?: 'json' | 'pretty';
  /** Where lines go. Default `process.stderr`. */
  readonly stream?: { write(line: string): unknown };
  /** The clock of the `time` field. Default `asyncScheduler` (wall-clock time). */
  readonly scheduler?: SchedulerLike;
  /** Fields added to every line, as a pino `child` would. */
  readonly bindings?: Readonly<Record<string, unknown>>;
}

/**
 * A {@link Logger} that can also say whether a level is enabled, as pino's `isLevelEnabled`.
 *
 * @example
 * ```ts
 * const log: ConsoleLogger = consoleLogger({ level: 'info' });
 * if (log.isLevelEnabled('debug')) log.debug({ dump: JSON.stringify(pods.store.list()) }, 'state'); // only built when logged
 * ```
 *
 * @see {@link consoleLogger}
 */
export interface ConsoleLogger extends Logger {
  isLevelEnabled(level: LogLevel): boolean;
  child(bindings: Record<string, unknown>): ConsoleLogger;
}

/**
 * A dependency-free {@link Logger} for when pino is not around: writes lines at or above
 * `level` to stderr, as JSON objects shaped like pino's (`level` as a number, `time` in epoch
 * ms, bindings, fields, `msg`) or as short human-readable lines. Errors anywhere in the fields
 * are written with their type, message and stack; circular references become `'[Circular]'`.
 * Fields that cannot be serialized (a getter or `toJSON` that throws) do not lose the line:
 * it is written with its level, time and message, and `logError` saying why the fields are
 * missing. It does not redact: wrap it in {@link redactingLogger} for that.
 *
 * ```
 * log.warn({ resource: 'pods', attempt: 3 }, 'backing off')
 *   json:   {"level":40,"time":1767225600000,"resource":"pods","attempt":3,"msg":"backing off"}
 *   pretty: 2026-01-01T00:00:00.000Z WARN  backing off {"resource":"pods","attempt":3}
 * ```
 *
 * @example
 * ```ts
 * import { consoleLogger, logHealth } from '@rxinformer/logging';
 *
 * const log = consoleLogger({ level: 'debug', format: 'pretty' }).child({ resource: 'pods' });
 * pods.health$.pipe(logHealth(log)).subscribe();
 * ```
 *
 * @see {@link redactingLogger}
 * @see {@link ConsoleLoggerOptions}
 */
export function consoleLogger(options: ConsoleLoggerOptions = {}): ConsoleLogger {
  const threshold = levelValues[options.level ?? 'info'];
  const stream = options.stream ?? process.stderr;
  const scheduler = options.scheduler ?? asyncScheduler;
  const pretty = options.format === 'pretty';

  const create = (bindings: Readonly<Record<string, unknown>>): ConsoleLogger => {
    const method = (level: LogLevel): LogFn => {
      if (levelValues[level] < threshold) return () => undefined;
      const line = (time: number, msg: unknown, data: Record<string, unknown>): string => {
        if (pretty) {
          const rest = Object.keys(data).length > 0 ? ` ${stringify(data)}` : '';
          return `${new Date(time).toISOString()} ${level.toUpperCase().padEnd(5)} ${msg ?? ''}${rest}\n`;
        }
        return `${stringify({ level: levelValues[level], time, ...data, ...(msg === undefined ? {} : { msg }) })}\n`;
      };
      return (fields, message) => {
        const time = scheduler.now();
        const msg = typeof fields === 'string' ? fields : message;
        let text: string;
        try {
          text = line(time, msg, typeof fields === 'string' ? bindings : { ...bindings, ...fields });
        } catch (err) {
          // A getter or toJSON that throws: the line is still written, without the fields.
          const logError = `fields could not be serialized (${errorKind(err)})`;
          text = line(time, typeof msg === 'string' ? msg : undefined, { logError });
        }
        stream.write(text);
      };
    };
    return {
      trace: method('trace'),
      debug: method('debug'),
      info: method('info'),
      warn: method('warn'),
      error: method('error'),
      fatal: method('fatal'),
      isLevelEnabled: (level) => levelValues[level] >= threshold,
      child: (more) => create({ ...bindings, ...more }),
    };
  };
  return create(options.bindings ?? {});
}

/** JSON.stringify that writes errors and bigints, and survives cycles. */
function stringify(value: unknown): string {
  // The objects on the path from the root to the value being written: what JSON.stringify
  // recurses into (`holders`, errors replaced by plain objects) and what they were (`originals`).
  const holders: object[] = [];
  const originals: object[] = [];
  return JSON.stringify(value, function (this: unknown, _key, current: unknown) {
    if (typeof current === 'bigint') return current.toString();
    if (current === null || typeof current !== 'object') return current;
    while (holders.length > 0 && holders[holders.length - 1] !== this) {
      holders.pop();
      originals.pop();
    }
    if (originals.includes(current)) return '[Circular]';
    let out: object = current;
    if (current instanceof Error) {
      const { name, message, stack, cause } = current;
      out = Object.assign({ type: name, message, stack }, current, cause === undefined ? {} : { cause });
    }
    holders.push(out);
    originals.push(current);
    return out;
  });
}
