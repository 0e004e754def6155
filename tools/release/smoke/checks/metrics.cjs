// @rxinformer/metrics: collectors on a prom-client Registry count the events of a stream, and the
// work-queue family registers under controller-runtime's names.
'use strict';
/* global exports */

exports.modules = ['@rxinformer/metrics', 'prom-client', 'rxjs'];

const configMap = (name) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'smoke' } });

exports.run = async (m, { assert }) => {
  const { informerMetrics, measureEvents, workQueueMetrics } = m['@rxinformer/metrics'];
  const { lastValueFrom, of, toArray } = m.rxjs;
  const registry = new m['prom-client'].Registry();
  const metrics = informerMetrics(registry);
  const events = [
    { type: 'ADDED', object: configMap('a'), initial: true },
    { type: 'ADDED', object: configMap('b'), initial: true },
    { type: 'SYNCED', size: 2, resourceVersion: '2' },
    { type: 'DELETED', object: configMap('a'), finalStateUnknown: false },
  ];
  const passed = await lastValueFrom(of(...events).pipe(measureEvents(metrics, 'configmaps'), toArray()));
  assert.equal(passed.length, events.length);
  const text = await registry.getSingleMetricAsString('rxinformer_events_total');
  assert.match(text, /rxinformer_events_total\{resource="configmaps",type="ADDED"\} 2/);
  assert.match(text, /rxinformer_events_total\{resource="configmaps",type="DELETED"\} 1/);

  workQueueMetrics(registry, 'smoke');
  assert.ok(registry.getSingleMetric('workqueue_depth'), 'workqueue_depth is registered');
};
