// A Logger that keeps what it is given, to assert on what a component logs (and what it never logs).
import type { LogFn, Logger } from '@rxinformer/core';

export interface LogEntry {
  readonly level: string;
  readonly fields: Record<string, unknown>;
  readonly msg: string;
}

/** Everything an entry says, errors with their messages and causes spelled out. */
export function entryText(entry: LogEntry): string {
  const describe = (value: unknown): string => {
    if (value instanceof Error) return `${value.name}: ${value.message} ${describe(value.cause)}`;
    if (value === undefined) return '';
    return typeof value === 'string' ? value : JSON.stringify(value);
  };
  return [entry.msg, ...Object.values(entry.fields).map(describe)].join(' ');
}

export function capturingLogger(entries: LogEntry[] = [], bindings: Record<string, unknown> = {}): Logger {
  const at =
    (level: string): LogFn =>
    (fields, msg) =>
      void entries.push({ level, fields: { ...bindings, ...fields }, msg: msg ?? '' });
  return {
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    fatal: at('fatal'),
    child: (more) => capturingLogger(entries, { ...bindings, ...more }),
  };
}
