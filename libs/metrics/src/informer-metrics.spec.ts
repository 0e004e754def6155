import type { InformerEvent } from '@rxinformer/core';
import { Counter, register as globalRegistry, Registry } from 'prom-client';
import { from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { events as fixtures } from '../test/fixtures.js';
import { informerMetrics } from './informer-metrics.js';
import { measureEvents } from './measure-events.js';

const NAMES = [
  'rxinformer_events_total',
  'rxinformer_watch_restarts_total',
  'rxinformer_relists_total',
  'rxinformer_list_duration_seconds',
  'rxinformer_store_objects',
  'rxinformer_informer_synced',
  'rxinformer_informer_phase',
  'rxinformer_seconds_since_last_event',
  'rxinformer_seconds_since_last_bookmark',
  'rxinformer_event_delivery_lag_seconds',
  'rxinformer_batch_size',
  'rxinformer_batch_flush_seconds',
];

describe('informerMetrics', () => {
  it('registers every metric on the injected registry, never on the global one', async () => {
    const registry = new Registry();
    informerMetrics(registry);
    const text = await registry.metrics();
    for (const name of NAMES) expect(text).toContain(`# TYPE ${name} `);
    for (const name of NAMES) expect(globalRegistry.getSingleMetric(name)).toBeUndefined();
  });

  it('returns the same metrics when asked twice on a registry, separate ones on another', () => {
    const registry = new Registry();
    const first = informerMetrics(registry);
    expect(informerMetrics(registry)).toBe(first);
    expect(informerMetrics(new Registry()).events).not.toBe(first.events);
  });

  it('reuses metrics another copy already registered, and refuses a clash of type or labels', async () => {
    const registry = new Registry();
    const events = new Counter({
      name: 'rxinformer_events_total',
      help: 'x',
      labelNames: ['resource', 'type'],
      registers: [registry],
    });
    expect(informerMetrics(registry).events).toBe(events);
    // Events are still counted, straight into the counter that was there.
    from<InformerEvent[]>([fixtures.a, fixtures.m, fixtures.m])
      .pipe(measureEvents(informerMetrics(registry), 'pods'))
      .subscribe();
    expect((await events.get()).values.map((v) => [v.labels.type, v.value])).toEqual([
      ['ADDED', 1],
      ['MODIFIED', 2],
    ]);
    const clashing = new Registry();
    new Counter({
      name: 'rxinformer_store_objects',
      help: 'x',
      labelNames: ['resource'],
      registers: [clashing],
    });
    expect(() => informerMetrics(clashing)).toThrow(TypeError);
  });
});

describe('rxinformer_events_total', () => {
  it('includes counts tallied since the last scrape whenever it is read', async () => {
    const registry = new Registry();
    const metrics = informerMetrics(registry);
    const measure = measureEvents(metrics, 'pods');
    from<InformerEvent[]>([fixtures.a, fixtures.S]).pipe(measure).subscribe();
    expect((await metrics.events.get()).values.find((v) => v.labels.type === 'ADDED')?.value).toBe(1);
    from<InformerEvent[]>([fixtures.a]).pipe(measure).subscribe();
    expect(await registry.metrics()).toContain('rxinformer_events_total{resource="pods",type="ADDED"} 2');
  });
});
