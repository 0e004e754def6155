import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { samples } from '../test/fixtures.js';
import { reconcileMetrics } from './reconcile-metrics.js';
import { workQueueMetrics } from './work-queue-metrics.js';

describe('workQueueMetrics', () => {
  it('exposes the controller-runtime workqueue family, labelled by queue name, starting at 0', async () => {
    const registry = new Registry();
    const queue = workQueueMetrics(registry, 'websites');
    workQueueMetrics(registry, 'other');
    queue.adds.inc();
    queue.adds.inc();
    queue.depth.inc(2);
    queue.depth.dec();
    queue.retries.inc();
    queue.queueDuration.observe(0.002);
    queue.workDuration.observe(0.5);
    queue.unfinishedWork.set(1.5);
    queue.longestRunningProcessor.set(0.75);
    const text = await registry.metrics();
    expect(samples(text, 'workqueue_depth')).toEqual([
      'workqueue_depth{name="websites"} 1',
      'workqueue_depth{name="other"} 0',
    ]);
    expect(samples(text, 'workqueue_adds_total')).toEqual([
      'workqueue_adds_total{name="websites"} 2',
      'workqueue_adds_total{name="other"} 0',
    ]);
    expect(samples(text, 'workqueue_retries_total')).toContain('workqueue_retries_total{name="websites"} 1');
    expect(samples(text, 'workqueue_queue_duration_seconds')).toContain(
      'workqueue_queue_duration_seconds_bucket{le="0.01",name="websites"} 1',
    );
    expect(samples(text, 'workqueue_queue_duration_seconds')).toContain(
      'workqueue_queue_duration_seconds_bucket{le="0.001",name="websites"} 0',
    );
    expect(samples(text, 'workqueue_work_duration_seconds')).toContain(
      'workqueue_work_duration_seconds_sum{name="websites"} 0.5',
    );
    expect(samples(text, 'workqueue_unfinished_work_seconds')).toEqual([
      'workqueue_unfinished_work_seconds{name="websites"} 1.5',
    ]);
    expect(samples(text, 'workqueue_longest_running_processor_seconds')).toEqual([
      'workqueue_longest_running_processor_seconds{name="websites"} 0.75',
    ]);
    // controller-runtime's buckets: 1e-8 s to 1000 s.
    expect(text).toContain('workqueue_queue_duration_seconds_bucket{le="1e-8",name="websites"} 0');
    expect(text).toContain('workqueue_queue_duration_seconds_bucket{le="1000",name="websites"} 1');
  });

  it('does not throw when created twice for the same name, and shares the series', async () => {
    const registry = new Registry();
    workQueueMetrics(registry, 'q').adds.inc();
    expect(() => workQueueMetrics(registry, 'q')).not.toThrow();
    workQueueMetrics(registry, 'q').adds.inc();
    expect(samples(await registry.metrics(), 'workqueue_adds_total')).toEqual([
      'workqueue_adds_total{name="q"} 2',
    ]);
  });
});

describe('reconcileMetrics', () => {
  it('exposes controller-runtime reconcile metrics, every result starting at 0', async () => {
    const registry = new Registry();
    const reconciles = reconcileMetrics(registry, 'website');
    reconciles.total.success.inc();
    reconciles.total.error.inc();
    reconciles.errors.inc();
    reconciles.time.observe(0.3);
    reconciles.activeWorkers.set(2);
    reconciles.maxConcurrentReconciles.set(4);
    expect(() => reconcileMetrics(registry, 'website')).not.toThrow();
    const text = await registry.metrics();
    expect(samples(text, 'controller_runtime_reconcile_total')).toEqual([
      'controller_runtime_reconcile_total{controller="website",result="success"} 1',
      'controller_runtime_reconcile_total{controller="website",result="error"} 1',
      'controller_runtime_reconcile_total{controller="website",result="requeue"} 0',
      'controller_runtime_reconcile_total{controller="website",result="requeue_after"} 0',
    ]);
    expect(samples(text, 'controller_runtime_reconcile_errors_total')).toEqual([
      'controller_runtime_reconcile_errors_total{controller="website"} 1',
    ]);
    expect(samples(text, 'controller_runtime_reconcile_time_seconds')).toContain(
      'controller_runtime_reconcile_time_seconds_bucket{le="0.3",controller="website"} 1',
    );
    expect(samples(text, 'controller_runtime_active_workers')).toEqual([
      'controller_runtime_active_workers{controller="website"} 2',
    ]);
    expect(samples(text, 'controller_runtime_max_concurrent_reconciles')).toEqual([
      'controller_runtime_max_concurrent_reconciles{controller="website"} 4',
    ]);
  });
});
