import { UserCodeError, type InformerEvent, type KubeObject, type Logger } from '@rxinformer/core';
import { of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { logEvents } from './log-events.js';

interface Line {
  at: number;
  level: string;
  fields: Record<string, unknown>;
  msg: string | undefined;
}

function recordingLogger(now: () => number, enabled: (level: string) => boolean = () => true) {
  const lines: Line[] = [];
  const method = (level: string) => (fields: Record<string, unknown>, msg?: string) => {
    lines.push({ at: now(), level, fields, msg });
  };
  const logger: Logger & { isLevelEnabled(level: string): boolean } = {
    trace: method('trace'),
    debug: method('debug'),
    info: method('info'),
    warn: method('warn'),
    error: method('error'),
    fatal: method('fatal'),
    child: () => logger,
    isLevelEnabled: enabled,
  };
  return { logger, lines };
}

const pod = (name: string, rv: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { namespace: 'shop', name, resourceVersion: rv, uid: `uid-${name}` },
});
const added = (name: string, rv = '1'): InformerEvent => ({
  type: 'ADDED',
  object: pod(name, rv),
  initial: false,
});
const modified = (name: string, rv: string): InformerEvent => ({
  type: 'MODIFIED',
  object: pod(name, rv),
  previous: pod(name, '1'),
});
const deleted = (name: string, rv: string): InformerEvent => ({
  type: 'DELETED',
  object: pod(name, rv),
  finalStateUnknown: true,
});
const synced: InformerEvent = { type: 'SYNCED', size: 3, resourceVersion: '9' };

const createScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('logEvents', () => {
  it('logs each event with its identity at the level of its type, and passes it on unchanged', () => {
    const scheduler = createScheduler();
    scheduler.run(({ hot, expectObservable, expectSubscriptions, flush }) => {
      const { logger, lines } = recordingLogger(() => scheduler.now());
      const values = { a: added('web-1'), b: modified('web-1', '2'), c: deleted('web-1', '3'), d: synced };
      const source = hot('  -a-b-c-d-|', values);
      const subs = '        ^--------!';
      const expected = '    -a-b-c-d-|';
      expectObservable(source.pipe(logEvents(logger, { resource: 'pods' }))).toBe(expected, values);
      expectSubscriptions(source.subscriptions).toBe(subs);
      flush();
      expect(lines).toEqual([
        {
          at: 1,
          level: 'debug',
          msg: 'ADDED Pod shop/web-1',
          fields: {
            type: 'ADDED',
            resource: 'pods',
            kind: 'Pod',
            namespace: 'shop',
            name: 'web-1',
            resourceVersion: '1',
            initial: false,
          },
        },
        {
          at: 3,
          level: 'debug',
          msg: 'MODIFIED Pod shop/web-1',
          fields: {
            type: 'MODIFIED',
            resource: 'pods',
            kind: 'Pod',
            namespace: 'shop',
            name: 'web-1',
            resourceVersion: '2',
          },
        },
        {
          at: 5,
          level: 'debug',
          msg: 'DELETED Pod shop/web-1',
          fields: {
            type: 'DELETED',
            resource: 'pods',
            kind: 'Pod',
            namespace: 'shop',
            name: 'web-1',
            resourceVersion: '3',
            finalStateUnknown: true,
          },
        },
        {
          at: 7,
          level: 'info',
          msg: 'SYNCED',
          fields: { type: 'SYNCED', resource: 'pods', size: 3, resourceVersion: '9' },
        },
      ]);
    });
  });

  it('never logs the object itself', () => {
    const { logger, lines } = recordingLogger(() => 0);
    const secret: KubeObject & { data: Record<string, string> } = {
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'shop' },
      data: { password: 'c3VwZXJzZWNyZXQ=' },
    };
    of<InformerEvent>({ type: 'ADDED', object: secret, initial: true }).pipe(logEvents(logger)).subscribe();
    expect(JSON.stringify(lines)).not.toContain('c3VwZXJzZWNyZXQ=');
  });

  it('uses the configured levels, and skips silent or disabled levels', () => {
    const scheduler = createScheduler();
    scheduler.run(({ cold, expectObservable, flush }) => {
      const { logger, lines } = recordingLogger(
        () => scheduler.now(),
        (level) => level !== 'trace',
      );
      const values = {
        a: added('web-1'),
        b: modified('web-1', '2'),
        r: { type: 'RESYNC', object: pod('web-1', '2') } as InformerEvent,
        s: synced,
      };
      const source = cold('a-b-r-s|', values);
      expectObservable(
        source.pipe(logEvents(logger, { levels: { ADDED: 'warn', MODIFIED: 'silent' } })),
      ).toBe('a-b-r-s|', values);
      flush();
      // RESYNC is at `trace` by default, which this logger has disabled.
      expect(lines.map((l) => [l.at, l.level, l.fields.type])).toEqual([
        [0, 'warn', 'ADDED'],
        [6, 'info', 'SYNCED'],
      ]);
    });
  });

  it('logs at most maxPerSecond lines per type and sums up the rest when the window ends', () => {
    const scheduler = createScheduler();
    scheduler.run(({ hot, expectObservable, expectSubscriptions, flush }) => {
      const { logger, lines } = recordingLogger(() => scheduler.now());
      const values = {
        a: added('a'),
        b: added('b'),
        c: added('c'),
        d: added('d'),
        m: modified('a', '2'),
        e: added('e'),
      };
      const source = hot('  a 99ms b 99ms c 99ms d 99ms m 999ms e 999ms |', values);
      const subs = '        ^ 2399ms !';
      const expected = '    a 99ms b 99ms c 99ms d 99ms m 999ms e 999ms |';
      expectObservable(source.pipe(logEvents(logger, { maxPerSecond: 2, scheduler }))).toBe(expected, values);
      expectSubscriptions(source.subscriptions).toBe(subs);
      flush();
      expect(lines.map((l) => [l.at, l.msg])).toEqual([
        [0, 'ADDED Pod shop/a'],
        [100, 'ADDED Pod shop/b'],
        // MODIFIED has a window of its own.
        [400, 'MODIFIED Pod shop/a'],
        [1000, 'suppressed 2 ADDED events'],
        [1400, 'ADDED Pod shop/e'],
      ]);
      expect(lines[3]?.fields).toEqual({ type: 'ADDED', resource: undefined, suppressed: 2 });
    });
  });

  it('writes the pending count on completion and cancels the window timer', () => {
    const scheduler = createScheduler();
    scheduler.run(({ cold, expectObservable, flush }) => {
      const { logger, lines } = recordingLogger(() => scheduler.now());
      const values = { a: added('a'), b: added('b'), c: added('c') };
      expectObservable(cold('a-b-c-|', values).pipe(logEvents(logger, { maxPerSecond: 1, scheduler }))).toBe(
        'a-b-c-|',
        values,
      );
      flush();
      expect(lines.map((l) => [l.at, l.msg])).toEqual([
        [0, 'ADDED Pod shop/a'],
        [6, 'suppressed 2 ADDED events'],
      ]);
      expect(scheduler.now()).toBe(6);
    });
  });

  it('writes the pending count and the error on error, and forwards the error', () => {
    const scheduler = createScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions, flush }) => {
      const { logger, lines } = recordingLogger(() => scheduler.now());
      const boom = new Error('401 Unauthorized');
      const values = { a: added('a'), b: added('b') };
      const source = cold('a-b-#', values, boom);
      expectObservable(source.pipe(logEvents(logger, { maxPerSecond: 1, scheduler }))).toBe(
        'a-b-#',
        values,
        boom,
      );
      expectSubscriptions(source.subscriptions).toBe('^---!');
      flush();
      expect(lines.map((l) => [l.at, l.level, l.msg])).toEqual([
        [0, 'debug', 'ADDED Pod shop/a'],
        [4, 'debug', 'suppressed 1 ADDED events'],
        [4, 'error', 'informer events failed'],
      ]);
      expect(lines[2]?.fields.err).toBe(boom);
    });
  });

  it('tears down the source and the window timer on unsubscribe, writing nothing afterwards', () => {
    const scheduler = createScheduler();
    scheduler.run(({ hot, expectObservable, expectSubscriptions, flush }) => {
      const { logger, lines } = recordingLogger(() => scheduler.now());
      const values = { a: added('a'), b: added('b'), c: added('c') };
      const source = hot('  a-b-c 2s |', values);
      const unsub = '       ------!';
      expectObservable(source.pipe(logEvents(logger, { maxPerSecond: 1, scheduler })), unsub).toBe(
        'a-b-c-',
        values,
      );
      expectSubscriptions(source.subscriptions).toBe('^-----!');
      flush();
      expect(lines.map((l) => l.msg)).toEqual(['ADDED Pod shop/a']);
    });
  });

  it('passes every event on unchanged when the logger throws, reporting each failure by key', () => {
    const scheduler = createScheduler();
    scheduler.run(({ hot, expectObservable, expectSubscriptions, flush }) => {
      const { logger } = recordingLogger(() => scheduler.now());
      const broken: Logger = {
        ...logger,
        debug: () => {
          throw new Error('stream closed');
        },
      };
      const reports: Array<[boolean, string | undefined, string | undefined, number]> = [];
      const values = { a: added('web-1'), b: modified('web-1', '2'), d: synced };
      const source = hot('  -a-b-d-|', values);
      const subs = '        ^------!';
      const logged = logEvents(broken, {
        onError: (e, n) => reports.push([e instanceof UserCodeError, e.objectKey, e.source, n]),
      });
      expectObservable(source.pipe(logged)).toBe('-a-b-d-|', values);
      expectSubscriptions(source.subscriptions).toBe(subs);
      flush();
      expect(reports).toEqual([
        [true, 'shop/web-1', 'logEvents logger', 1],
        [true, 'shop/web-1', 'logEvents logger', 2],
      ]);
    });
  });

  it('passes events it cannot read on, and survives a throwing isLevelEnabled and onError', () => {
    const scheduler = createScheduler();
    scheduler.run(({ cold, expectObservable, flush }) => {
      const { logger, lines } = recordingLogger(
        () => scheduler.now(),
        (level) => {
          if (level === 'info') throw new Error('no levels here');
          return true;
        },
      );
      const reports: Array<string | undefined> = [];
      const values = {
        x: { type: 'ADDED', initial: false } as unknown as InformerEvent,
        a: added('web-1'),
        s: synced,
      };
      const logged = logEvents(logger, {
        onError: (e) => {
          reports.push((e.cause as Error).name);
          throw new Error('the reporter broke too');
        },
      });
      expectObservable(cold('xas|', values).pipe(logged)).toBe('xas|', values);
      flush();
      expect(lines.map((l) => l.msg)).toEqual(['ADDED Pod shop/web-1']);
      expect(reports).toEqual(['TypeError', 'Error']);
    });
  });

  it('still forwards completion and errors, and never throws from its timer, when the logger throws', () => {
    const scheduler = createScheduler();
    scheduler.run(({ cold, hot, expectObservable, flush }) => {
      const throwing = () => {
        throw new Error('logger down');
      };
      const broken: Logger = {
        trace: throwing,
        debug: throwing,
        info: throwing,
        warn: throwing,
        error: throwing,
        fatal: throwing,
        child: () => broken,
      };
      const runs: number[][] = [[], [], []];
      const options = (run: number) => ({
        maxPerSecond: 1,
        scheduler,
        onError: (_e: UserCodeError, n: number) => void runs[run]?.push(n),
      });
      const values = { a: added('a'), b: added('b') };
      const boom = new Error('401 Unauthorized');
      expectObservable(cold('ab#', values, boom).pipe(logEvents(broken, options(0)))).toBe(
        'ab#',
        values,
        boom,
      );
      expectObservable(cold('ab|', values).pipe(logEvents(broken, options(1)))).toBe('ab|', values);
      // The summary line of a window that ends on its own is written from a timer.
      expectObservable(hot('ab 2s |', values).pipe(logEvents(broken, options(2)))).toBe('ab 2s |', values);
      flush();
      // a's line, the summary of b and the error line; a's line and the summary; a's line and the timer's summary.
      expect(runs).toEqual([
        [1, 2, 3],
        [1, 2],
        [1, 2],
      ]);
    });
  });
});
