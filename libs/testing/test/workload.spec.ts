import { ConfigMaps, Pods } from '@rxinformer/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { churn, createKubeApiServer, populate, type KubeApiServer } from '../src/index.js';
import { rawWatch, readLines, watchWith } from './support.js';

let server: KubeApiServer;
beforeEach(async () => {
  server = await createKubeApiServer({ seed: 21 });
});
afterEach(() => server.close());

describe('populate', () => {
  it('creates realistic pods of about the requested size across namespaces', async () => {
    const stats = await populate(server, { count: 60, namespaces: 3, seed: 1, bytes: 7000 });
    expect(stats.created).toBe(60);
    expect(stats.averageBytes).toBeGreaterThan(6500);
    expect(stats.averageBytes).toBeLessThan(7500);
    const pods = server.list(Pods);
    expect(pods).toHaveLength(60);
    expect(new Set(pods.map((p) => p.metadata?.namespace))).toEqual(new Set(['sim-00', 'sim-01', 'sim-02']));
    const pod = pods[0];
    expect(pod?.spec?.containers).toHaveLength(2);
    expect(pod?.spec?.containers[0]?.env?.length).toBeGreaterThan(5);
    expect(pod?.status?.conditions?.map((c) => c.type)).toContain('Ready');
    expect(pod?.status?.containerStatuses).toHaveLength(2);
    expect(pod?.metadata?.managedFields?.length).toBe(2);
    expect(pod?.metadata?.ownerReferences?.[0]?.kind).toBe('ReplicaSet');
  });

  it('is deterministic for a seed', async () => {
    await populate(server, { count: 5, seed: 9 });
    const other = await createKubeApiServer({ seed: 21 });
    try {
      await populate(other, { count: 5, seed: 9 });
      const strip = (pods: ReturnType<KubeApiServer['list']>) =>
        pods.map((p) => ({ ...p, metadata: { ...p.metadata, creationTimestamp: undefined } }));
      expect(strip(other.list(Pods))).toEqual(strip(server.list(Pods)));
    } finally {
      await other.close();
    }
  });

  it('generates padded objects for other resources', async () => {
    await populate(server, { resource: ConfigMaps, count: 4, namespaces: ['a', 'b'], bytes: 2000 });
    const cms = server.list(ConfigMaps, { labelSelector: 'rxinformer.io/sim=true' });
    expect(cms.map((c) => c.metadata?.namespace).sort()).toEqual(['a', 'a', 'b', 'b']);
    expect(JSON.stringify(cms[0]).length).toBeGreaterThan(1700);
  });
});

describe('churn', () => {
  it('performs exactly the requested number of writes in the requested mix, all seen by a watch', async () => {
    await populate(server, { count: 50, namespaces: 2 });
    const watch = await rawWatch(server, `/api/v1/pods?watch=1&resourceVersion=${server.resourceVersion}`);
    await server.waitForWatches(1);
    const stats = await churn(server, {
      ratePerSecond: 2000,
      events: 400,
      mix: { update: 2, create: 1, delete: 1 },
    }).done;
    expect(stats.events).toBe(400);
    expect(stats.created + stats.updated + stats.deleted).toBe(400);
    expect(stats.created).toBeGreaterThan(50);
    expect(stats.deleted).toBeGreaterThan(50);
    expect(stats.updated).toBeGreaterThan(stats.created);
    expect(server.count(Pods)).toBe(50 + stats.created - stats.deleted);
    const types = (await readLines(watch.lines, 400)).map((l) => (JSON.parse(l) as { type: string }).type);
    expect(types.filter((t) => t === 'ADDED')).toHaveLength(stats.created);
    expect(types.filter((t) => t === 'MODIFIED')).toHaveLength(stats.updated);
    expect(types.filter((t) => t === 'DELETED')).toHaveLength(stats.deleted);
    watch.close();
  });

  it('changes what an update changes: revision annotation and status, not the spec (generation stays 1)', async () => {
    await populate(server, { count: 1, namespaces: 1 });
    const [before] = server.list(Pods);
    await churn(server, { ratePerSecond: 1000, events: 3, mix: { update: 1, create: 0, delete: 0 } }).done;
    const after = server.get(Pods, before?.metadata?.name ?? '', before?.metadata?.namespace);
    expect(after.metadata?.annotations?.['rxinformer.io/revision']).toBe('4');
    expect(after.metadata?.generation).toBe(1);
    expect(after.metadata?.uid).toBe(before?.metadata?.uid);
    expect(after.spec).toEqual(before?.spec);
  });

  it('stops on stop() and on durationMs', async () => {
    await populate(server, { count: 10 });
    const run = churn(server, { ratePerSecond: 500 });
    const watch = await watchWith(server, '/api/v1/pods', { resourceVersion: server.resourceVersion });
    await watch.next();
    const stats = await run.stop();
    expect(stats.events).toBeGreaterThan(0);
    expect(await run.done).toEqual(stats);
    const timed = await churn(server, { ratePerSecond: 200, durationMs: 100 }).done;
    expect(timed.elapsedMs).toBeGreaterThanOrEqual(100);
    watch.stop();
  });

  it('paces writes by a slow watch instead of getting it dropped when maxBufferedBytes is set', async () => {
    const paced = await createKubeApiServer({ slowWatcherBytes: 4 * 1024 * 1024 });
    try {
      await populate(paced, { count: 20, bytes: 7000 });
      const watch = await rawWatch(paced, `/api/v1/pods?watch=1&resourceVersion=${paced.resourceVersion}`);
      await paced.waitForWatches(1);
      const run = churn(paced, {
        ratePerSecond: 1_000_000,
        events: 3000,
        mix: { update: 1, create: 0, delete: 0 },
        maxBufferedBytes: 1024 * 1024,
      });
      const lines = await readLines(watch.lines, 3000);
      await run.done;
      expect(lines).toHaveLength(3000);
      expect(paced.watchCount()).toBe(1);
      watch.close();
    } finally {
      await paced.close();
    }
  });
});
