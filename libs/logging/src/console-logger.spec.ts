import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { consoleLogger } from './console-logger.js';

function memory() {
  const lines: string[] = [];
  return { lines, stream: { write: (line: string) => lines.push(line) } };
}
const clock = () => {
  const scheduler = new TestScheduler(() => undefined);
  scheduler.frame = 1_767_225_600_000;
  return scheduler;
};

describe('consoleLogger', () => {
  it('writes pino-shaped JSON lines at or above its level', () => {
    const { lines, stream } = memory();
    const log = consoleLogger({ level: 'info', stream, scheduler: clock() });
    log.debug({ hidden: true }, 'not written');
    log.info({ resource: 'pods', attempt: 3 }, 'backing off');
    log.fatal({}, 'gone');
    expect(lines).toEqual([
      '{"level":30,"time":1767225600000,"resource":"pods","attempt":3,"msg":"backing off"}\n',
      '{"level":60,"time":1767225600000,"msg":"gone"}\n',
    ]);
    expect(log.isLevelEnabled('debug')).toBe(false);
    expect(log.isLevelEnabled('warn')).toBe(true);
  });

  it('defaults to info, and silent writes nothing', () => {
    const { lines, stream } = memory();
    consoleLogger({ stream }).debug({}, 'x');
    consoleLogger({ stream, level: 'silent' }).fatal({}, 'x');
    expect(lines).toEqual([]);
  });

  it('adds the bindings of child loggers to every line, fields winning', () => {
    const { lines, stream } = memory();
    const log = consoleLogger({ level: 'trace', stream, scheduler: clock(), bindings: { app: 'shop' } });
    log.child({ resource: 'pods' }).child({ namespace: 'a' }).trace({ namespace: 'b' });
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      level: 10,
      time: 1767225600000,
      app: 'shop',
      resource: 'pods',
      namespace: 'b',
    });
  });

  it('writes errors with type, message and stack, bigints as strings, and cycles as [Circular]', () => {
    const { lines, stream } = memory();
    const err = Object.assign(new TypeError('bad selector'), { code: 'E_SEL' });
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.self = loop;
    consoleLogger({ stream }).error({ err, big: 10n, loop, shared: [err, err] }, 'failed');
    const line = JSON.parse(lines[0] ?? '') as Record<string, any>;
    expect(line.err).toMatchObject({ type: 'TypeError', message: 'bad selector', code: 'E_SEL' });
    expect(line.err.stack).toContain('TypeError: bad selector');
    expect(line.big).toBe('10');
    expect(line.loop).toEqual({ name: 'loop', self: '[Circular]' });
    // A value seen twice side by side is not a cycle.
    expect(line.shared[1].message).toBe('bad selector');
  });

  it('writes short human-readable lines in pretty format', () => {
    const { lines, stream } = memory();
    const log = consoleLogger({ format: 'pretty', stream, scheduler: clock() });
    log.warn({ resource: 'pods', attempt: 3 }, 'backing off');
    log.info({}, 'synced');
    expect(lines).toEqual([
      '2026-01-01T00:00:00.000Z WARN  backing off {"resource":"pods","attempt":3}\n',
      '2026-01-01T00:00:00.000Z INFO  synced\n',
    ]);
  });

  it('writes to stderr by default', () => {
    const writes: unknown[] = [];
    const original = process.stderr.write;
    process.stderr.write = ((chunk: unknown) => writes.push(chunk) > 0) as typeof process.stderr.write;
    try {
      consoleLogger().error({}, 'to stderr');
    } finally {
      process.stderr.write = original;
    }
    expect(String(writes[0])).toContain('"msg":"to stderr"');
  });

  it('still writes the line, with level, time and message, when its fields cannot be serialized', () => {
    const { lines, stream } = memory();
    const log = consoleLogger({ level: 'info', stream, scheduler: clock() });
    const unserializable = {
      toJSON(): never {
        throw new Error('no JSON');
      },
    };
    log.warn({ object: unserializable }, 'watch failed');
    consoleLogger({ level: 'info', stream, scheduler: clock(), format: 'pretty' }).error(
      { object: unserializable },
      'list failed',
    );
    expect(lines).toEqual([
      '{"level":40,"time":1767225600000,"logError":"fields could not be serialized (Error)","msg":"watch failed"}\n',
      '2026-01-01T00:00:00.000Z ERROR list failed {"logError":"fields could not be serialized (Error)"}\n',
    ]);
  });
});
