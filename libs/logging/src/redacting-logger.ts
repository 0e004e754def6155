import type { LogFn, Logger } from '@rxinformer/core';
import type { LogLevel } from './levels.js';
import { createRedactor, type RedactionOptions, type Redactor } from './redact.js';
import { errorKind } from './error-kind.js';

const LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/**
 * Wraps any {@link Logger} so secrets never reach it: every field, every binding given to
 * `child()`, and the message pass through the redaction before the wrapped logger sees them.
 * Values that need no redaction are passed as they are (same references), so the wrapped
 * logger's own serializers (pino's `err`) still apply.
 *
 * Redacted by default, at any depth: Secret `data` and `stringData` (the keys stay, the
 * values go) and a Secret's `last-applied-configuration` annotation; `Authorization`,
 * `Proxy-Authorization`, `Cookie` and `Set-Cookie`; any field whose name ends in `token`,
 * `password`, `secret`, `passphrase`, `apiKey`, `privateKey`, `keyData`, `certData`,
 * `certificateData` (so kubeconfig's `client-key-data` and `client-certificate-data`); and
 * inside any string: `Bearer …`, `Basic …`, JWTs, `user:pass@` in URLs, `token=…` query
 * parameters and `"password":"…"` in embedded JSON. `options` adds paths and key names.
 *
 * Give the result to the core for its own diagnostics, so no credential it handles can be
 * logged by mistake.
 *
 * Fields that cannot be walked (a getter or `toJSON` that throws, a revoked Proxy) are never
 * passed on unredacted: the line is still written, with the fields replaced by
 * `{ redactionFailed: '<error name>' }`; a message that cannot be turned into a string becomes
 * `[message not redacted: <error name>]`. A throw of the wrapped logger itself reaches the
 * caller, as it would without the wrapper (the logging operators catch it).
 *
 * ```
 * logger.warn({ headers: { Authorization: 'Bearer abc123…' } }, 'failed with token=abc123…')
 *   ──> wrapped.warn({ headers: { Authorization: '[REDACTED]' } }, 'failed with token=[REDACTED]')
 * ```
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * import { createInformerFactory } from '@rxinformer/core';
 * import { redactingLogger } from '@rxinformer/logging';
 *
 * const logger = redactingLogger(pino({ level: 'debug' }), { paths: ['request.headers.x-api-key'] });
 * const informers = createInformerFactory({ kubeConfig: kc, logger });
 * ```
 *
 * @see {@link RedactionOptions}
 * @see {@link consoleLogger}
 */
export function redactingLogger(logger: Logger, options: RedactionOptions = {}): Logger {
  return wrap(logger, createRedactor(options));
}

function wrap(logger: Logger, redactor: Redactor): Logger {
  // Never the unredacted value: say that redaction failed, and what kind of error stopped it.
  const fieldsOf = (fields: unknown): Record<string, unknown> => {
    try {
      return redactor.value(fields) as Record<string, unknown>;
    } catch (err) {
      return { redactionFailed: errorKind(err) };
    }
  };
  const textOf = (message: unknown): string => {
    try {
      return redactor.text(String(message));
    } catch (err) {
      return `[message not redacted: ${errorKind(err)}]`;
    }
  };
  const method = (level: LogLevel): LogFn => {
    return (fields, message) => {
      // Untyped callers sometimes pass the message first, as pino also allows.
      if (typeof fields === 'string') {
        logger[level]({}, redactor.text(fields));
        return;
      }
      const safe = fieldsOf(fields);
      if (message === undefined) logger[level](safe);
      else logger[level](safe, textOf(message));
    };
  };
  const wrapped = Object.fromEntries(LEVELS.map((level) => [level, method(level)])) as Record<
    LogLevel,
    LogFn
  >;
  const inner = logger as Logger & { isLevelEnabled?: (level: string) => boolean };
  return {
    ...wrapped,
    child: (bindings) => wrap(logger.child(fieldsOf(bindings)), redactor),
    ...(typeof inner.isLevelEnabled === 'function'
      ? { isLevelEnabled: (level: string) => inner.isLevelEnabled?.(level) ?? true }
      : {}),
  };
}
