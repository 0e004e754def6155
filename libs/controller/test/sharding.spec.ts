import { KubeConfig } from '@kubernetes/client-node';
import { firstValueFrom, filter } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ConfigMaps,
  ForbiddenError,
  Leases,
  createInformerFactory,
  type InformerFactory,
} from '@rxinformer/core';
import { advance, churn, createKubeApiServer, populate, type KubeApiServer } from '@rxinformer/testing';
import { ShardMembership, controller, rendezvousOwner, type Controller } from '@rxinformer/controller';
import { createLeaseCluster, leaseRequests } from './support/lease-cluster.js';

/** Polls an assertion until it holds (the suite's own bound, far above what a run needs). */
const eventually = (assertion: () => void) => vi.waitFor(assertion, { timeout: 30_000, interval: 50 });

const timings = { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 300 };
const REVISION = 'rxinformer.io/revision';
const RECONCILED = 'example.com/reconciled-revision';

let server: KubeApiServer;
beforeAll(async () => {
  server = await createKubeApiServer({ bookmarkIntervalMs: 200 });
});
afterAll(async () => {
  await server.close();
});

interface Replica {
  identity: string;
  factory: InformerFactory;
  shards: ShardMembership;
  controller: Controller;
  reconciled: number;
}

type Cm = { metadata?: { name?: string; namespace?: string; annotations?: Record<string, string> } };

describe('sharding', () => {
  // On the HTTPS simulator and the wall clock: churn() writes at a wall-clock rate.
  it('spreads 1,000 churning objects over replicas joining and leaving, never reconciling a key on two at once', async () => {
    await populate(server, { resource: ConfigMaps, count: 1000, namespaces: 5, bytes: 64, seed: 3 });
    const running = new Map<string, string>(); // key -> replica reconciling it now
    const overlaps: string[] = [];
    const log: { key: string; replica: string; start: number; end: number }[] = [];

    function replica(identity: string): Replica {
      const kc = new KubeConfig();
      kc.loadFromString(server.kubeconfig());
      const factory = createInformerFactory({ kubeConfig: kc, lingerMs: 0 });
      const shards = new ShardMembership({
        kubeConfig: kc,
        namespace: 'default',
        name: 'mirror',
        identity,
        ...timings,
      });
      const self: Replica = {
        identity,
        factory,
        shards,
        reconciled: 0,
        controller: undefined as unknown as Controller,
      };
      self.controller = controller<Cm>({
        name: `mirror-${identity}`,
        for: factory.informer(ConfigMaps, { labelSelector: 'rxinformer.io/sim=true' }) as never,
        ownership: shards,
        concurrency: 4,
        reconcile: async ({ key, object, name, namespace, signal }) => {
          const other = running.get(key);
          if (other) overlaps.push(`${key}: ${identity} started while ${other} ran`);
          running.set(key, identity);
          const start = performance.now();
          try {
            await new Promise((r) => setImmediate(r)); // some work, during which another replica could interleave
            const revision = object?.metadata?.annotations?.[REVISION];
            if (!object || revision === object.metadata?.annotations?.[RECONCILED] || signal.aborted) return;
            server.patch(
              ConfigMaps,
              name,
              { metadata: { annotations: { [RECONCILED]: revision } } },
              { namespace: namespace! },
            );
            self.reconciled++;
          } finally {
            running.delete(key);
            log.push({ key, replica: identity, start, end: performance.now() });
          }
        },
      });
      self.controller.start();
      return self;
    }
    const active = (r: Replica, members: number) =>
      firstValueFrom(r.shards.view$.pipe(filter((v) => v.active && v.members.length === members)));

    const a = replica('a');
    const b = replica('b');
    await Promise.all([active(a, 2), active(b, 2)]);
    const load = churn(server, {
      resource: ConfigMaps,
      ratePerSecond: 400,
      mix: { update: 8, create: 1, delete: 1 },
    });

    const c = replica('c'); // joins while objects churn
    await Promise.all([active(a, 3), active(b, 3), active(c, 3)]);
    await eventually(() => expect(c.reconciled).toBeGreaterThan(50));
    const bReconciled = b.reconciled;
    await b.controller.stop(); // leaves cleanly: deletes its shard lease after its work ended
    expect(server.find(Leases, 'mirror-shard-b', 'default')).toBeUndefined();
    await Promise.all([active(a, 2), active(c, 2)]);
    const stats = await load.stop();

    // Every object converges to its desired state.
    await eventually(() => {
      const pending = server
        .list(ConfigMaps, { labelSelector: 'rxinformer.io/sim=true' })
        .filter(
          (o) =>
            (o as Cm).metadata?.annotations?.[REVISION] !== (o as Cm).metadata?.annotations?.[RECONCILED],
        );
      expect(pending).toHaveLength(0);
    });
    expect(b.reconciled).toBe(bReconciled);
    expect(overlaps).toEqual([]);
    // The log, checked independently: per key, no two reconciles overlap in time.
    const byKey = new Map<string, typeof log>();
    for (const entry of log) byKey.set(entry.key, [...(byKey.get(entry.key) ?? []), entry]);
    for (const [key, entries] of byKey) {
      entries.sort((x, y) => x.start - y.start);
      for (let i = 1; i < entries.length; i++) {
        if (entries[i]!.start < entries[i - 1]!.end)
          overlaps.push(`${key}: ${entries[i - 1]!.replica} and ${entries[i]!.replica}`);
      }
    }
    expect(overlaps).toEqual([]);
    // Keys moved: the joiner and the leaver both did work, and each key's last reconcile ran on its owner.
    expect(c.reconciled).toBeGreaterThan(0);
    expect(bReconciled).toBeGreaterThan(0);
    const replicas = new Set(log.map((e) => e.replica));
    expect(replicas).toEqual(new Set(['a', 'b', 'c']));
    console.info(
      `churn: ${stats.events} writes at ${stats.ratePerSecond.toFixed(0)}/s; reconciles: ${log.length} (a ${a.reconciled}, b ${bReconciled}, c ${c.reconciled} writes); keys: ${byKey.size}`,
    );
    for (const r of [a, c]) await r.controller.stop();
    for (const r of [a, b, c]) r.factory.shutdown();
    expect(server.list(Leases, { namespace: 'default' })).toHaveLength(0);
  });

  it('assigns each key to one member, and moves only the keys of a member that leaves', () => {
    const keys = Array.from({ length: 3000 }, (_, i) => `ns-${i % 7}/obj-${i}`);
    const before = keys.map((k) => rendezvousOwner(k, ['a', 'b', 'c']));
    const after = keys.map((k) => rendezvousOwner(k, ['a', 'c']));
    const counts = { a: 0, b: 0, c: 0 } as Record<string, number>;
    before.forEach((owner) => counts[owner!]!++);
    for (const n of Object.values(counts)) expect(n).toBeGreaterThan(800); // about 1,000 each
    keys.forEach((_, i) => {
      if (before[i] !== 'b') expect(after[i]).toBe(before[i]);
    });
  });

  it('gives up on a forbidden shard lease (403) as data, and a controller using it fails with source `ownership`', async () => {
    const { scheduler, cluster } = createLeaseCluster();
    cluster.failNext(Infinity, { code: 403 }, { resource: Leases, verb: 'create' });
    const shards = new ShardMembership({
      client: cluster.client,
      scheduler,
      namespace: 'default',
      name: 'denied',
      identity: 'a',
      ...timings,
    });
    const factory = createInformerFactory({ source: cluster, scheduler, lingerMs: 0 });
    const c = controller({
      name: 'denied',
      for: factory.informer(ConfigMaps, { namespace: 'nowhere' }),
      ownership: shards,
      scheduler,
      reconcile: () => undefined,
    });
    c.start();
    const done = c.done.then(
      () => undefined,
      (e: unknown) => e,
    );
    await advance(scheduler, 10 * timings.retryPeriodMs);
    const error = await done;
    expect(error).toBeInstanceOf(ForbiddenError);
    expect((error as ForbiddenError).verb).toBe('create');
    expect(c.status.failure).toMatchObject({ source: 'ownership', error });
    expect(shards.health).toMatchObject({ phase: 'failed', lastError: error, failures: 1 });
    // Gave up at once: no retry every period.
    expect(leaseRequests(cluster)).toEqual(['0: get denied-shard-a 404', '0: create 403']);
    const view = await firstValueFrom(shards.view$);
    expect(view.active).toBe(false);
    factory.shutdown();
  });

  it('stops working at once, not at its renew deadline, when its renewals become forbidden', async () => {
    const { scheduler, cluster } = createLeaseCluster();
    const shards = new ShardMembership({
      client: cluster.client,
      scheduler,
      namespace: 'default',
      name: 'revoked',
      identity: 'a',
      ...timings,
    });
    const views: string[] = [];
    shards.view$.subscribe((v) =>
      views.push(`${scheduler.now()}: ${v.active ? 'active' : 'inactive'} [${v.members.join()}]`),
    );
    let ownershipError: unknown;
    shards.ownership$.subscribe({ error: (e: unknown) => (ownershipError = e) });
    shards.start(); // joins at 0, renews every 300 ms, works a lease duration after joining
    await advance(scheduler, 2_050);
    const forbidden = cluster.failNext(Infinity, { code: 403 }, { resource: Leases, verb: 'update' });
    await advance(scheduler, 3_000);
    // The next renewal (at 2100) is refused: no waiting for the deadline (1800 + 1500).
    expect(views).toEqual(['0: inactive []', '0: inactive [a]', '2000: active [a]', '2100: inactive [a]']);
    expect(leaseRequests(cluster).slice(-1)).toEqual(['2100: update revoked-shard-a 403']);
    expect(shards.health.phase).toBe('failed');
    expect(ownershipError).toBeInstanceOf(ForbiddenError);
    forbidden.cancel();
    const stopped = shards.stop(); // deletes its lease: the stop itself is allowed again
    await advance(scheduler, 0);
    await stopped;
    expect(cluster.find(Leases, 'revoked-shard-a', 'default')).toBeUndefined();
    expect(shards.health.phase).toBe('failed');
  });
});
