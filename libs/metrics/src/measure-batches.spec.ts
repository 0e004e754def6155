import { Registry } from 'prom-client';
import { asyncScheduler, Subject, type SchedulerLike } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createScheduler, samples } from '../test/fixtures.js';
import { informerMetrics } from './informer-metrics.js';
import { measureBatches } from './measure-batches.js';

describe('measureBatches', () => {
  it('observes batch sizes and passes batches on unchanged', async () => {
    const registry = new Registry();
    const metrics = informerMetrics(registry);
    createScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const values = { x: ['a', 'b', 'c'], y: ['d'] };
      const source = hot('  -x---y-|', values);
      expectObservable(source.pipe(measureBatches(metrics, 'pods'))).toBe('-x---y-|', values);
      expectSubscriptions(source.subscriptions).toBe('^------!');
    });
    const size = samples(await registry.metrics(), 'rxinformer_batch_size');
    expect(size).toContain('rxinformer_batch_size_count{resource="pods"} 2');
    expect(size).toContain('rxinformer_batch_size_sum{resource="pods"} 4');
    expect(size).toContain('rxinformer_batch_size_bucket{le="1",resource="pods"} 1');
    expect(size).toContain('rxinformer_batch_size_bucket{le="4",resource="pods"} 2');
  });

  it('observes how long the subscribers took to handle each batch', async () => {
    let now = 0;
    const clock: SchedulerLike = { now: () => now, schedule: asyncScheduler.schedule.bind(asyncScheduler) };
    const registry = new Registry();
    const metrics = informerMetrics(registry, { scheduler: clock });
    const batches = new Subject<string[]>();
    batches.pipe(measureBatches(metrics, 'pods')).subscribe((batch) => (now += 20 * batch.length));
    batches.next(['a']);
    batches.next(['b', 'c']);
    const flush = samples(await registry.metrics(), 'rxinformer_batch_flush_seconds');
    expect(flush).toContain('rxinformer_batch_flush_seconds_count{resource="pods"} 2');
    expect(flush).toContain('rxinformer_batch_flush_seconds_sum{resource="pods"} 0.06');
    expect(flush).toContain('rxinformer_batch_flush_seconds_bucket{le="0.025",resource="pods"} 1');
  });

  it('passes a value that is not an array on, unmeasured, instead of throwing', async () => {
    const registry = new Registry();
    const metrics = informerMetrics(registry);
    createScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const values = { x: ['a'], n: 7 as unknown as string[], y: ['b', 'c'] };
      const source = hot('  -x-n-y-|', values);
      expectObservable(source.pipe(measureBatches(metrics, 'pods'))).toBe('-x-n-y-|', values);
      expectSubscriptions(source.subscriptions).toBe('^------!');
    });
    const size = samples(await registry.metrics(), 'rxinformer_batch_size');
    expect(size).toContain('rxinformer_batch_size_count{resource="pods"} 2');
  });

  it('forwards errors and tears down on unsubscribe', () => {
    const metrics = informerMetrics(new Registry());
    createScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      expectObservable(cold('x#', { x: [1] }, new Error('e')).pipe(measureBatches(metrics, 'pods'))).toBe(
        'x#',
        { x: [1] },
        new Error('e'),
      );
      const source = hot('x-x-x|', { x: [1] });
      expectObservable(source.pipe(measureBatches(metrics, 'pods')), '--!').toBe('x-', { x: [1] });
      expectSubscriptions(source.subscriptions).toBe('^-!');
    });
  });
});
