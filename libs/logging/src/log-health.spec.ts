import { idleHealth, UserCodeError, type InformerHealth, type Logger } from '@rxinformer/core';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { logHealth } from './log-health.js';

interface Line {
  at: number;
  level: string;
  fields: Record<string, unknown>;
  msg: string | undefined;
}

function recordingLogger(now: () => number) {
  const lines: Line[] = [];
  const method = (level: string) => (fields: Record<string, unknown>, msg?: string) => {
    lines.push({ at: now(), level, fields, msg });
  };
  const logger: Logger = {
    trace: method('trace'),
    debug: method('debug'),
    info: method('info'),
    warn: method('warn'),
    error: method('error'),
    fatal: method('fatal'),
    child: () => logger,
  };
  return { logger, lines };
}

const base: InformerHealth = idleHealth;
const h = (patch: Partial<InformerHealth>): InformerHealth => ({ ...base, ...patch });
const createScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('logHealth', () => {
  it('logs phase transitions and the first sync only, passing every snapshot on', () => {
    const scheduler = createScheduler();
    scheduler.run(({ hot, expectObservable, expectSubscriptions, flush }) => {
      const { logger, lines } = recordingLogger(() => scheduler.now());
      const refused = new Error('connect ECONNREFUSED');
      const values = {
        L: h({ phase: 'listing' }),
        W: h({ phase: 'watching', synced: true, size: 3, resourceVersion: '10' }),
        w: h({ phase: 'watching', synced: true, size: 4, resourceVersion: '11', lastEventAt: 5 }),
        B: h({
          phase: 'backoff',
          synced: true,
          size: 4,
          attempt: 1,
          lastError: refused,
          retryAt: 900,
          lastReason: 'watch failed',
        }),
        C: h({ phase: 'backoff', synced: true, size: 4, attempt: 2, lastError: refused, retryAt: 1900 }),
        X: h({ phase: 'listing', synced: true, size: 4, attempt: 2 }),
        Y: h({ phase: 'watching', synced: true, size: 4, resourceVersion: '12' }),
      };
      const source = hot('  -L-W-w-B-C-X-Y-|', values);
      const subs = '        ^--------------!';
      expectObservable(source.pipe(logHealth(logger))).toBe('-L-W-w-B-C-X-Y-|', values);
      expectSubscriptions(source.subscriptions).toBe(subs);
      flush();
      expect(lines.map((l) => [l.at, l.level, l.msg])).toEqual([
        [1, 'info', 'listing'],
        [3, 'info', 'synced 3 objects'],
        [7, 'warn', 'backing off after 1 failed attempt: connect ECONNREFUSED'],
        [9, 'warn', 'backing off after 2 failed attempts: connect ECONNREFUSED'],
        [11, 'info', 'listing (attempt 3)'],
        [13, 'info', 'reconnected, watching'],
      ]);
      expect(lines[2]?.fields).toEqual({
        phase: 'backoff',
        attempt: 1,
        retryAt: 900,
        reason: 'watch failed',
        err: refused,
      });
      expect(lines[1]?.fields).toEqual({ phase: 'watching', size: 3, resourceVersion: '10' });
    });
  });

  it('logs relists with their reason, watch restarts that keep the phase, and failure', () => {
    const scheduler = createScheduler();
    scheduler.run(({ cold, expectObservable, flush }) => {
      const { logger, lines } = recordingLogger(() => scheduler.now());
      const forbidden = new Error('watch pods: 403 Forbidden');
      const values = {
        W: h({ phase: 'watching', synced: true }),
        T: h({ phase: 'watching', synced: true, restarts: 1, lastReason: 'watch timeout' }),
        R: h({ phase: 'relisting', synced: true, restarts: 1, relists: 1, lastReason: '410 Expired' }),
        V: h({ phase: 'watching', synced: true, restarts: 2, relists: 1, resourceVersion: '50', size: 2 }),
        F: h({ phase: 'failed', synced: true, lastError: forbidden }),
        I: h({ phase: 'idle', synced: true }),
      };
      expectObservable(
        cold('W-T-R-V-F-I|', values).pipe(logHealth(logger, { levels: { restarted: 'info' } })),
      ).toBe('W-T-R-V-F-I|', values);
      flush();
      expect(lines.map((l) => [l.at, l.level, l.msg])).toEqual([
        [0, 'info', 'synced 0 objects'],
        [2, 'info', 'watch restarted: watch timeout'],
        [4, 'info', 'relisting: 410 Expired'],
        [6, 'info', 'relisted, watching'],
        [8, 'error', 'failed: watch pods: 403 Forbidden'],
        [10, 'debug', 'stopped'],
      ]);
      expect(lines[2]?.fields).toEqual({ phase: 'relisting', reason: '410 Expired', relists: 1 });
      expect(lines[4]?.fields.err).toBe(forbidden);
    });
  });

  it('keeps its memory per subscription, and stops logging on unsubscribe', () => {
    const scheduler = createScheduler();
    scheduler.run(({ hot, expectObservable, expectSubscriptions, flush }) => {
      const { logger, lines } = recordingLogger(() => scheduler.now());
      const values = { L: h({ phase: 'listing' }), B: h({ phase: 'backoff', attempt: 1 }) };
      const source = hot('  L-B-L-|', values);
      const logged = source.pipe(logHealth(logger, { levels: { backoff: 'silent' } }));
      expectObservable(logged, '^--!').toBe('L-B', values);
      expectObservable(logged, '--^-!').toBe('--B-', values);
      expectSubscriptions(source.subscriptions).toBe(['^--!', '--^-!']);
      flush();
      // The second subscriber has no previous snapshot: it logs the phase it joins at (silent here).
      expect(lines.map((l) => [l.at, l.msg])).toEqual([[0, 'listing']]);
    });
  });

  it('does not log "stopped" for the idle snapshot of an informer not yet started, but does when it stops', () => {
    const { logger, lines } = recordingLogger(() => 0);
    const snapshots = [h({ phase: 'idle' }), h({ phase: 'listing' }), h({ phase: 'idle' })];
    createScheduler().run(({ cold, expectObservable }) => {
      const source = cold('abc|', { a: snapshots[0]!, b: snapshots[1]!, c: snapshots[2]! });
      expectObservable(source.pipe(logHealth(logger))).toBe('abc|', {
        a: snapshots[0],
        b: snapshots[1],
        c: snapshots[2],
      });
    });
    expect(lines.map((l) => l.msg)).toEqual(['listing', 'stopped']);
  });

  it('forwards errors', () => {
    createScheduler().run(({ cold, expectObservable }) => {
      const { logger } = recordingLogger(() => 0);
      expectObservable(cold<InformerHealth>('-#', {}, new Error('x')).pipe(logHealth(logger))).toBe(
        '-#',
        {},
        new Error('x'),
      );
    });
  });

  it('passes every snapshot on unchanged when the logger throws, reporting each failure', () => {
    const scheduler = createScheduler();
    scheduler.run(({ hot, expectObservable, expectSubscriptions, flush }) => {
      const { logger, lines } = recordingLogger(() => scheduler.now());
      const broken: Logger = {
        ...logger,
        info: () => {
          throw new Error('stream closed');
        },
      };
      const reports: Array<[boolean, string | undefined, string | undefined, number]> = [];
      const values = {
        L: h({ phase: 'listing' }),
        W: h({ phase: 'watching', synced: true, size: 1 }),
        B: h({ phase: 'backoff', synced: true, attempt: 1 }),
      };
      const source = hot('  -L-W-B-|', values);
      const subs = '        ^------!';
      const logged = logHealth(broken, {
        onError: (e, n) => reports.push([e instanceof UserCodeError, e.objectKey, e.source, n]),
      });
      expectObservable(source.pipe(logged)).toBe('-L-W-B-|', values);
      expectSubscriptions(source.subscriptions).toBe(subs);
      flush();
      // The backoff line still goes out: one failure does not stop the next transition's line.
      expect(lines.map((l) => l.msg)).toEqual(['backing off after 1 failed attempt: unknown error']);
      expect(reports).toEqual([
        [true, undefined, 'logHealth logger', 1],
        [true, undefined, 'logHealth logger', 2],
      ]);
    });
  });
});
