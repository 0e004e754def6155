import { UserCodeError, type InformerEvent } from '@rxinformer/core';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createScheduler, events, samples } from '../test/fixtures.js';
import { informerMetrics } from './informer-metrics.js';
import { lastWriteTime } from './last-write-time.js';
import { measureEvents } from './measure-events.js';

describe('measureEvents', () => {
  it('counts events by resource and type, passing them on unchanged', async () => {
    const registry = new Registry();
    const metrics = informerMetrics(registry);
    createScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot<InformerEvent>('  -i-S-a-m-m-d-r-|', events);
      const subs = '                       ^--------------!';
      expectObservable(source.pipe(measureEvents(metrics, 'pods'))).toBe('-i-S-a-m-m-d-r-|', events);
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
    expect(samples(await registry.metrics(), 'rxinformer_events_total')).toEqual([
      'rxinformer_events_total{resource="pods",type="ADDED"} 2',
      'rxinformer_events_total{resource="pods",type="MODIFIED"} 2',
      'rxinformer_events_total{resource="pods",type="DELETED"} 1',
      'rxinformer_events_total{resource="pods",type="RESYNC"} 1',
      'rxinformer_events_total{resource="pods",type="SYNCED"} 1',
    ]);
  });

  it('observes the delivery lag of live changes only, on the metrics clock', async () => {
    const registry = new Registry();
    const scheduler = createScheduler();
    const metrics = informerMetrics(registry, { scheduler });
    const asked: string[] = [];
    scheduler.run(({ cold, expectObservable }) => {
      // Each change happened at frame 0; lags are the frames they arrive at (ms).
      const measured = measureEvents(metrics, 'pods', { timestampOf: (e) => (asked.push(e.type), 0) });
      expectObservable(cold<InformerEvent>('i 9ms a 99ms m 999ms r 1s d|', events).pipe(measured)).toBe(
        'i 9ms a 99ms m 999ms r 1s d|',
        events,
      );
    });
    expect(asked).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    const lag = samples(await registry.metrics(), 'rxinformer_event_delivery_lag_seconds');
    expect(lag).toContain('rxinformer_event_delivery_lag_seconds_count{resource="pods"} 3');
    // a at 10 ms, m at 110 ms, d at 2111 ms.
    const sum = lag.find((line) => line.startsWith('rxinformer_event_delivery_lag_seconds_sum'));
    expect(Number(sum?.split(' ')[1])).toBeCloseTo(2.231, 9);
    expect(lag).toContain('rxinformer_event_delivery_lag_seconds_bucket{le="0.01",resource="pods"} 1');
    expect(lag).toContain('rxinformer_event_delivery_lag_seconds_bucket{le="0.25",resource="pods"} 2');
  });

  it('counts and passes every event on when timestampOf throws or returns no number, reporting it', async () => {
    const registry = new Registry();
    const metrics = informerMetrics(registry);
    const reports: Array<[boolean, string | undefined, string | undefined, string, number]> = [];
    createScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot<InformerEvent>('  -a-m-d-|', events);
      const subs = '                       ^------!';
      const measured = measureEvents(metrics, 'pods', {
        timestampOf: (e) => {
          if (e.type === 'ADDED') throw new Error('no timestamp');
          return e.type === 'MODIFIED' ? ('2026-01-01T00:00:00Z' as unknown as number) : 0;
        },
        onError: (e, n) =>
          reports.push([e instanceof UserCodeError, e.objectKey, e.source, (e.cause as Error).message, n]),
      });
      expectObservable(source.pipe(measured)).toBe('-a-m-d-|', events);
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
    expect(reports).toEqual([
      [true, 'shop/web-1', 'measureEvents timestampOf', 'no timestamp', 1],
      [true, 'shop/web-1', 'measureEvents timestampOf', 'returned string, not a number', 2],
    ]);
    const text = await registry.metrics();
    expect(samples(text, 'rxinformer_events_total')).toContain(
      'rxinformer_events_total{resource="pods",type="ADDED"} 1',
    );
    expect(samples(text, 'rxinformer_event_delivery_lag_seconds')).toContain(
      'rxinformer_event_delivery_lag_seconds_count{resource="pods"} 1',
    );
  });

  it('forwards errors and tears down on unsubscribe', async () => {
    const registry = new Registry();
    const metrics = informerMetrics(registry);
    createScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      expectObservable(
        cold<InformerEvent>('a#', events, new Error('403')).pipe(measureEvents(metrics, 'pods')),
      ).toBe('a#', events, new Error('403'));
      const source = hot<InformerEvent>('a-m-d-|', events);
      expectObservable(source.pipe(measureEvents(metrics, 'pods')), '---!').toBe('a-m', events);
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
    const text = await registry.metrics();
    expect(text).toContain('rxinformer_events_total{resource="pods",type="ADDED"} 2');
    expect(text).toContain('rxinformer_events_total{resource="pods",type="DELETED"} 0');
  });
});

describe('lastWriteTime', () => {
  it('is the latest managedFields time, else the creation time', () => {
    expect(
      lastWriteTime({
        metadata: { managedFields: [{ time: '2026-01-01T00:00:05Z' }, { time: '2026-01-01T00:00:09Z' }, {}] },
      }),
    ).toBe(Date.parse('2026-01-01T00:00:09Z'));
    expect(lastWriteTime({ metadata: { creationTimestamp: '2026-01-01T00:00:00Z' } })).toBe(
      Date.parse('2026-01-01T00:00:00Z'),
    );
    expect(lastWriteTime({ metadata: { creationTimestamp: 'not a time' } })).toBeUndefined();
    expect(lastWriteTime({})).toBeUndefined();
  });
});
