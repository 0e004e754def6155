import type { Logger } from '@rxinformer/core';

/**
 * A pino-shaped logger that prints warnings and errors as one line each on stderr.
 *
 * @example
 * ```ts
 * startOperator({ kubeConfig: kc, namespace: 'default', logger: consoleLogger() });
 * ```
 */
export function consoleLogger(bindings: Record<string, unknown> = {}): Logger {
  const noop = () => undefined;
  const line = (level: string) => (object: unknown, message?: string) => {
    const fields = {
      ...bindings,
      ...(typeof object === 'object' && object !== null ? object : {}),
    } as Record<string, unknown>;
    const err = fields['err'] instanceof Error ? `: ${fields['err'].message.split('\n')[0]}` : '';
    const text = typeof object === 'string' ? object : (message ?? '');
    const context = Object.entries(fields)
      .filter(([k, v]) => k !== 'err' && typeof v !== 'object')
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(' ');
    process.stderr.write(`${level}: ${text}${err}${context ? ` (${context})` : ''}\n`);
  };
  return {
    trace: noop,
    debug: noop,
    info: noop,
    warn: line('warn'),
    error: line('error'),
    fatal: line('fatal'),
    child: (more) => consoleLogger({ ...bindings, ...more }),
  };
}
