import { Pods, type InformerHealth } from '@rxinformer/core';
import { Registry } from 'prom-client';
import { asyncScheduler, BehaviorSubject, config, type SchedulerLike } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createScheduler, health, samples } from '../test/fixtures.js';
import { informerMetrics } from './informer-metrics.js';
import { instrumentInformer } from './instrument-informer.js';

describe('instrumentInformer', () => {
  it('turns health$ into gauges, counters and list durations, and removes its gauges on unsubscribe', async () => {
    const registry = new Registry();
    const scheduler = createScheduler();
    const metrics = informerMetrics(registry, { scheduler });
    let during = '';
    scheduler.run(({ hot, expectSubscriptions }) => {
      const values = {
        L: health({ phase: 'listing' }),
        W: health({ phase: 'watching', synced: true, size: 3 }),
        T: health({ phase: 'watching', synced: true, size: 4, restarts: 1, lastReason: 'watch timeout' }),
        R: health({
          phase: 'relisting',
          synced: true,
          size: 4,
          restarts: 1,
          relists: 1,
          lastReason: '410 Expired',
        }),
        V: health({
          phase: 'watching',
          synced: true,
          size: 2,
          restarts: 2,
          relists: 1,
          lastReason: '410 Expired',
        }),
        B: health({ phase: 'backoff', synced: true, size: 2, restarts: 2, relists: 1, attempt: 1 }),
        X: health({ phase: 'listing', synced: true, size: 2, restarts: 2, relists: 1, attempt: 1 }),
      };
      const health$ = hot<InformerHealth>('-L---W---T---R-V-B-X---V---|', values);
      const subscription = instrumentInformer({ resource: Pods, health$ }, metrics);
      scheduler.schedule(() => void registry.metrics().then((text) => (during = text)), 25);
      scheduler.schedule(() => subscription.unsubscribe(), 26);
      expectSubscriptions(health$.subscriptions).toBe('^ 25ms !');
    });
    await new Promise((resolve) => setImmediate(resolve));

    expect(samples(during, 'rxinformer_store_objects')).toEqual([
      'rxinformer_store_objects{resource="pods"} 2',
    ]);
    expect(samples(during, 'rxinformer_informer_synced')).toEqual([
      'rxinformer_informer_synced{resource="pods"} 1',
    ]);
    expect(samples(during, 'rxinformer_informer_phase')).toEqual([
      'rxinformer_informer_phase{resource="pods",phase="idle"} 0',
      'rxinformer_informer_phase{resource="pods",phase="listing"} 0',
      'rxinformer_informer_phase{resource="pods",phase="watching"} 1',
      'rxinformer_informer_phase{resource="pods",phase="backoff"} 0',
      'rxinformer_informer_phase{resource="pods",phase="relisting"} 0',
      'rxinformer_informer_phase{resource="pods",phase="failed"} 0',
    ]);
    expect(samples(during, 'rxinformer_watch_restarts_total')).toEqual([
      'rxinformer_watch_restarts_total{resource="pods",reason="watch timeout"} 1',
      'rxinformer_watch_restarts_total{resource="pods",reason="410 Expired"} 1',
    ]);
    expect(samples(during, 'rxinformer_relists_total')).toEqual([
      'rxinformer_relists_total{resource="pods",reason="410 Expired"} 1',
    ]);
    // listing 1 -> watching 5, relisting 13 -> watching 15, listing 19 (after a backoff) -> watching 23.
    const lists = samples(during, 'rxinformer_list_duration_seconds');
    expect(lists).toContain('rxinformer_list_duration_seconds_count{resource="pods"} 3');
    expect(lists).toContain('rxinformer_list_duration_seconds_sum{resource="pods"} 0.01');

    const after = await registry.metrics();
    expect(samples(after, 'rxinformer_store_objects')).toEqual([]);
    expect(samples(after, 'rxinformer_informer_phase')).toEqual([]);
    expect(samples(after, 'rxinformer_relists_total')).toEqual([
      'rxinformer_relists_total{resource="pods",reason="410 Expired"} 1',
    ]);
  });

  it('computes the time since the last event and bookmark on each scrape', async () => {
    let now = 100_000;
    const clock: SchedulerLike = { now: () => now, schedule: asyncScheduler.schedule.bind(asyncScheduler) };
    const registry = new Registry();
    const metrics = informerMetrics(registry, { scheduler: clock });
    const health$ = new BehaviorSubject(
      health({ phase: 'watching', synced: true, lastEventAt: 90_000, lastBookmarkAt: 99_000 }),
    );
    const subscription = instrumentInformer({ resource: Pods, health$ }, metrics, {
      resourceLabel: 'pods/shop',
    });
    expect(samples(await registry.metrics(), 'rxinformer_seconds_since_last_event')).toEqual([
      'rxinformer_seconds_since_last_event{resource="pods/shop"} 10',
    ]);
    now = 130_000;
    const text = await registry.metrics();
    expect(samples(text, 'rxinformer_seconds_since_last_event')).toEqual([
      'rxinformer_seconds_since_last_event{resource="pods/shop"} 40',
    ]);
    expect(samples(text, 'rxinformer_seconds_since_last_bookmark')).toEqual([
      'rxinformer_seconds_since_last_bookmark{resource="pods/shop"} 31',
    ]);
    subscription.unsubscribe();
    expect(samples(await registry.metrics(), 'rxinformer_seconds_since_last_event')).toEqual([]);
  });

  it('bounds the reason label to 32 distinct values of at most 64 characters', async () => {
    const registry = new Registry();
    const metrics = informerMetrics(registry);
    const health$ = new BehaviorSubject(health({ phase: 'watching' }));
    const subscription = instrumentInformer({ resource: Pods, health$ }, metrics);
    for (let i = 1; i <= 40; i++)
      health$.next(health({ phase: 'watching', restarts: i, lastReason: `reason ${i} ${'x'.repeat(100)}` }));
    subscription.unsubscribe();
    const restarts = samples(await registry.metrics(), 'rxinformer_watch_restarts_total');
    expect(restarts).toHaveLength(33);
    expect(restarts).toContain('rxinformer_watch_restarts_total{resource="pods",reason="other"} 8');
    expect(restarts.every((line) => (/reason="([^"]*)"/.exec(line)?.[1]?.length ?? 0) <= 64)).toBe(true);
  });

  it('skips a snapshot it cannot record and catches up with the next, and never throws into the process', async () => {
    const unhandled: unknown[] = [];
    const previous = config.onUnhandledError;
    config.onUnhandledError = (err) => void unhandled.push(err);
    try {
      const registry = new Registry();
      const metrics = informerMetrics(registry);
      const health$ = new BehaviorSubject(health({ phase: 'watching', synced: true, size: 1 }));
      const subscription = instrumentInformer({ resource: Pods, health$ }, metrics);
      // Not what the type says: prom-client rejects a size that is not a number.
      health$.next(health({ phase: 'watching', size: undefined as unknown as number, restarts: 1 }));
      health$.next(
        health({ phase: 'watching', synced: true, size: 5, restarts: 2, lastReason: 'watch timeout' }),
      );
      const text = await registry.metrics();
      expect(samples(text, 'rxinformer_store_objects')).toEqual([
        'rxinformer_store_objects{resource="pods"} 5',
      ]);
      // Both restarts are counted, the one of the skipped snapshot with the next.
      expect(samples(text, 'rxinformer_watch_restarts_total')).toEqual([
        'rxinformer_watch_restarts_total{resource="pods",reason="watch timeout"} 2',
      ]);
      // An error of health$ ends the instrumentation, removing its gauges, and is not rethrown.
      health$.error(new Error('informer gone'));
      expect(subscription.closed).toBe(true);
      expect(samples(await registry.metrics(), 'rxinformer_store_objects')).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(unhandled).toEqual([]);
    } finally {
      config.onUnhandledError = previous;
    }
  });
});
