import type { Logger } from '@rxinformer/core';
import { consoleLogger } from '@rxinformer/logging';
import { UsageError, type FlagValues } from './flags.js';

const FORMATS = ['auto', 'pretty', 'json'] as const;
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;

/**
 * The `--log-format` and `--log-level` flags every app takes.
 *
 * @example
 * ```ts
 * export const myFlags = { ...clusterFlags, ...logFlags };
 * ```
 */
export const logFlags = {
  'log-format': {
    type: 'string',
    value: 'FORMAT',
    description: 'auto (pretty on a terminal, JSON otherwise), pretty or json',
    default: 'auto',
  },
  'log-level': {
    type: 'string',
    value: 'LEVEL',
    description: 'trace, debug, info, warn or error',
    default: 'info',
  },
} as const;

/**
 * How an app logs, as its flags chose.
 *
 * @example
 * ```ts
 * const log: LogSettings = { logFormat: 'json', logLevel: 'info' };
 * ```
 */
export interface LogSettings {
  logFormat: (typeof FORMATS)[number];
  logLevel: (typeof LEVELS)[number];
}

/**
 * Checks the logging flags; throws {@link UsageError} naming the flag and the allowed values.
 *
 * @example
 * ```ts
 * declare const values: FlagValues<typeof logFlags>;
 * const { logFormat, logLevel } = logSettings(values);
 * ```
 */
export function logSettings(values: FlagValues<typeof logFlags>): LogSettings {
  const logFormat = FORMATS.find((f) => f === values['log-format']);
  if (logFormat === undefined) {
    throw new UsageError(`--log-format must be auto, pretty or json, got "${values['log-format']}"`);
  }
  const logLevel = LEVELS.find((l) => l === values['log-level']);
  if (logLevel === undefined) {
    throw new UsageError(`--log-level must be one of ${LEVELS.join(', ')}, got "${values['log-level']}"`);
  }
  return { logFormat, logLevel };
}

/**
 * The app's logger on stdout: pretty on a terminal and JSON otherwise, unless the flag says.
 *
 * @example
 * ```ts
 * const logger = appLogger({ logFormat: 'auto', logLevel: 'info' });
 * logger.info({ pods: 3 }, 'synced');
 * ```
 */
export function appLogger(settings: LogSettings): Logger {
  return consoleLogger({ level: settings.logLevel, format: outputFormat(settings), stream: process.stdout });
}

/**
 * The format `auto` stands for here: pretty on a terminal, JSON otherwise.
 *
 * @example
 * ```ts
 * const settings: LogSettings = { logFormat: 'auto', logLevel: 'info' };
 * if (outputFormat(settings) === 'pretty') console.table(pods.store.list().map((p) => p.metadata?.name));
 * ```
 */
export function outputFormat(settings: LogSettings): 'pretty' | 'json' {
  if (settings.logFormat !== 'auto') return settings.logFormat;
  return process.stdout.isTTY ? 'pretty' : 'json';
}
