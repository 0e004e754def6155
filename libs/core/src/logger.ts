/**
 * One log method: an object of structured fields first, then a message, as pino takes them.
 *
 * @example
 * ```ts
 * logger.warn({ resource: 'pods', attempt: 3 }, 'watch failed, backing off');
 * ```
 */
export type LogFn = (fields: Record<string, unknown>, message?: string) => void;

/**
 * The logger port the core writes its diagnostics to: pino-shaped, so a pino logger plugs in
 * directly; `@rxinformer/logging` supplies console and redacting adapters. The core never puts
 * credentials in `fields`.
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * const informers = createInformerFactory({ kubeConfig: kc, logger: pino() });
 * ```
 */
export interface Logger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

const noop: LogFn = () => undefined;

/**
 * A logger that drops everything: the default when none is given.
 *
 * @example
 * ```ts
 * const informers = createInformerFactory({ kubeConfig: kc, logger: silentLogger });
 * ```
 */
export const silentLogger: Logger = Object.freeze({
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  fatal: noop,
  child: () => silentLogger,
});
