export { type MetricsRegistry } from './registry-metrics.js';
export { informerMetrics, type InformerMetrics, type InformerMetricsOptions } from './informer-metrics.js';
export { measureEvents, type MeasureEventsOptions } from './measure-events.js';
export { measureBatches } from './measure-batches.js';
export { instrumentInformer, type InstrumentOptions } from './instrument-informer.js';
export { lastWriteTime } from './last-write-time.js';
export { workQueueMetrics, type WorkQueueMetrics } from './work-queue-metrics.js';
export { reconcileMetrics, type ReconcileMetrics, type ReconcileResult } from './reconcile-metrics.js';
export { metricsHandler } from './metrics-handler.js';
