// Integration: the core informer over the simulator, through all three adapters at once.
import { consumeWith, batchEvents, coalesceByKey, dedupe } from '@rxinformer/batching';
import {
  createInformerFactory,
  objectKey,
  Secrets,
  type InformerEvent,
  type InformerFactory,
  type KubeObject,
} from '@rxinformer/core';
import { consoleLogger, logEvents, logHealth, redactingLogger } from '@rxinformer/logging';
import { createKubeApiServer, type KubeApiServer } from '@rxinformer/testing';
import { Registry } from 'prom-client';
import { share, type Subscription } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { informerMetrics, instrumentInformer, measureBatches, measureEvents } from '../src/index.js';
import { samples } from './fixtures.js';

const PASSWORD = 'aHVudGVyMi1pbnRlZ3JhdGlvbg==';
const secret = (name: string, value: string) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: 'shop' },
  type: 'Opaque',
  data: { password: value },
});
const until = async (check: () => boolean | Promise<boolean>, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('core + logging + batching + metrics over the simulator', () => {
  let server: KubeApiServer;
  let informers: InformerFactory;
  const lines: string[] = [];
  const registry = new Registry();
  const subscriptions: Subscription[] = [];

  beforeAll(async () => {
    server = await createKubeApiServer({ bookmarkIntervalMs: 50 });
    server.create(Secrets, secret('db-0', PASSWORD));
    server.create(Secrets, secret('db-1', PASSWORD));
    const log = redactingLogger(
      consoleLogger({ level: 'trace', stream: { write: (line: string) => lines.push(line) } }),
    );
    informers = createInformerFactory({
      kubeConfig: server.kubeConfig,
      logger: log.child({ component: 'core' }),
      lingerMs: 0,
    });
  });
  afterAll(async () => {
    for (const s of subscriptions) s.unsubscribe();
    informers?.shutdown();
    await server?.close();
  });

  it('delivers the net state to a slow consumer, counts it, and logs no secret', async () => {
    const log = redactingLogger(
      consoleLogger({ level: 'trace', stream: { write: (line: string) => lines.push(line) } }),
    );
    const metrics = informerMetrics(registry);
    const secrets = informers.informer(Secrets, { namespace: 'shop' });
    subscriptions.push(instrumentInformer(secrets, metrics));
    subscriptions.push(secrets.health$.pipe(logHealth(log.child({ resource: 'secrets' }))).subscribe());

    const events$ = secrets.events$.pipe(
      logEvents(log, { resource: 'secrets' }),
      measureEvents(metrics, 'secrets'),
      share(),
    );
    const fast: InformerEvent[] = [];
    subscriptions.push(events$.subscribe((e) => fast.push(e)));

    const state = new Map<string, KubeObject>();
    let batches = 0;
    subscriptions.push(
      events$
        .pipe(
          dedupe(),
          coalesceByKey({ window: 20 }),
          batchEvents({ maxSize: 50, maxWait: 30 }),
          measureBatches(metrics, 'secrets'),
          consumeWith(
            async (batch: InformerEvent[]) => {
              await new Promise((resolve) => setTimeout(resolve, 15));
              for (const e of batch) {
                if (e.type === 'DELETED') state.delete(objectKey(e.object));
                else if (e.type !== 'SYNCED') state.set(objectKey(e.object), e.object);
              }
            },
            { queueSize: 100, overflow: 'error' },
          ),
        )
        .subscribe(() => batches++),
    );

    await secrets.synced;
    for (let i = 2; i < 20; i++) server.create(Secrets, secret(`db-${i}`, PASSWORD));
    for (let i = 0; i < 10; i++)
      server.patch(Secrets, `db-${i}`, { metadata: { labels: { round: '2' } } }, { namespace: 'shop' });
    for (let i = 10; i < 15; i++) server.delete(Secrets, `db-${i}`, 'shop');

    const expected = server
      .list(Secrets, { namespace: 'shop' })
      .map((s) => `${objectKey(s)}@${s.metadata?.resourceVersion}`)
      .sort();
    await until(
      () =>
        [...state.values()]
          .map((s) => `${objectKey(s)}@${s.metadata?.resourceVersion}`)
          .sort()
          .join() === expected.join(),
    );
    expect(state.size).toBe(15);
    expect(batches).toBeGreaterThan(0);

    // A dropped watch is a restart, reported on health$ and counted.
    server.faults.dropWatches();
    await until(async () => samples(await registry.metrics(), 'rxinformer_watch_restarts_total').length > 0);

    const text = await registry.metrics();
    expect(text).toContain('rxinformer_store_objects{resource="secrets"} 15');
    expect(text).toContain('rxinformer_informer_synced{resource="secrets"} 1');
    expect(text).toContain('rxinformer_informer_phase{resource="secrets",phase="watching"} 1');
    expect(text).toContain('rxinformer_list_duration_seconds_count{resource="secrets"} 1');
    const count = (type: string) =>
      Number(
        samples(text, 'rxinformer_events_total')
          .find((l) => l.includes(`type="${type}"`))
          ?.split(' ')[1],
      );
    expect(count('ADDED')).toBe(20);
    expect(count('MODIFIED')).toBe(10);
    expect(count('DELETED')).toBe(5);
    expect(count('SYNCED')).toBe(1);
    expect(fast).toHaveLength(36);
    expect(
      samples(text, 'rxinformer_batch_size').some((l) => l.startsWith('rxinformer_batch_size_count')),
    ).toBe(true);
    expect(text).not.toContain('db-1"');

    const output = lines.join('');
    expect(output).toContain('ADDED Secret shop/db-0');
    expect(output).toContain('synced 2 objects');
    expect(output).not.toContain(PASSWORD);
    expect(output).not.toContain(server.token);
  });
});
