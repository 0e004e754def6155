import { firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  ConfigMaps,
  ForbiddenError,
  Leases,
  createInformerFactory,
  type InformerFactory,
} from '@rxinformer/core';
import { advance, seededRandom } from '@rxinformer/testing';
import { ShardMembership, controller, rendezvousOwner, type Controller } from '@rxinformer/controller';
import { createLeaseCluster, leaseRequests } from './support/lease-cluster.js';

const timings = { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 300 };
const REVISION = 'rxinformer.io/revision';
const RECONCILED = 'example.com/reconciled-revision';
const SIM = 'rxinformer.io/sim=true';

interface Replica {
  identity: string;
  factory: InformerFactory<undefined>;
  shards: ShardMembership;
  controller: Controller;
  reconciled: number;
  views: string[];
}

type Cm = { metadata?: { name?: string; namespace?: string; annotations?: Record<string, string> } };

describe('sharding', () => {
  // In virtual time over the fake cluster: the churn is direct writes at a fixed virtual rate
  // (4 every 10 ms, 400/s, 8:1:1 updates, creations, deletions) between steps of the clock.
  it('spreads 1,000 churning objects over replicas joining and leaving, never reconciling a key on two at once', async () => {
    const { scheduler, cluster } = createLeaseCluster();
    const random = seededRandom(3);
    const live: { name: string; namespace: string }[] = [];
    const revisions = new Map<string, number>();
    let created = 0;
    const create = () => {
      const name = `cm-${(created++).toString().padStart(4, '0')}`;
      const namespace = `sim-0${created % 5}`;
      cluster.create(ConfigMaps, {
        metadata: {
          name,
          namespace,
          labels: { 'rxinformer.io/sim': 'true' },
          annotations: { [REVISION]: '1' },
        },
        data: { payload: 'x'.repeat(64) },
      });
      live.push({ name, namespace });
      revisions.set(`${namespace}/${name}`, 1);
    };
    for (let i = 0; i < 1000; i++) create();
    const counts = { created: 0, updated: 0, deleted: 0 };
    const write = () => {
      const roll = random.next() * 10;
      if (roll < 1 || live.length === 0) {
        create();
        counts.created++;
        return;
      }
      const at = random.int(live.length);
      const { name, namespace } = live[at]!;
      if (roll < 2) {
        live[at] = live[live.length - 1]!;
        live.pop();
        cluster.delete(ConfigMaps, name, namespace);
        counts.deleted++;
      } else {
        const revision = revisions.get(`${namespace}/${name}`)! + 1;
        revisions.set(`${namespace}/${name}`, revision);
        cluster.patch(
          ConfigMaps,
          name,
          { metadata: { annotations: { [REVISION]: String(revision) } } },
          { namespace },
        );
        counts.updated++;
      }
    };
    let churning = true;
    /** Moves the clock `ms` ahead in steps of 10 ms, writing 4 objects before each step while churning. */
    const run = async (ms: number) => {
      for (let t = 0; t < ms; t += 10) {
        if (churning) for (let n = 0; n < 4; n++) write();
        await advance(scheduler, 10);
      }
    };

    const running = new Map<string, string>(); // key -> replica reconciling it now
    const overlaps: string[] = [];
    const log: { key: string; replica: string; start: number; end: number }[] = [];
    function replica(identity: string): Replica {
      const factory = createInformerFactory({ source: cluster, scheduler, random: () => 0, lingerMs: 0 });
      const shards = new ShardMembership({
        client: cluster.client,
        scheduler,
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
        views: [],
        controller: undefined as unknown as Controller,
      };
      shards.view$.subscribe((v) =>
        self.views.push(`${scheduler.now()}: ${v.active ? 'active' : 'inactive'} [${v.members.join()}]`),
      );
      self.controller = controller<Cm>({
        name: `mirror-${identity}`,
        for: factory.informer(ConfigMaps, { labelSelector: SIM }) as never,
        ownership: shards,
        concurrency: 4,
        scheduler,
        reconcile: async ({ key, object, name, namespace, signal }) => {
          const other = running.get(key);
          if (other) overlaps.push(`${key}: ${identity} started while ${other} ran`);
          running.set(key, identity);
          const start = scheduler.now();
          try {
            // 5 ms of work, during which another replica could interleave.
            await new Promise<void>((r) => scheduler.schedule(() => r(), 5));
            const revision = object?.metadata?.annotations?.[REVISION];
            if (!object || revision === object.metadata?.annotations?.[RECONCILED] || signal.aborted) return;
            if (!cluster.find(ConfigMaps, name, namespace)) return; // deleted meanwhile
            cluster.patch(
              ConfigMaps,
              name,
              { metadata: { annotations: { [RECONCILED]: revision } } },
              { namespace: namespace! },
            );
            self.reconciled++;
          } finally {
            running.delete(key);
            log.push({ key, replica: identity, start, end: scheduler.now() });
          }
        },
      });
      self.controller.start();
      return self;
    }

    const a = replica('a');
    const b = replica('b');
    await advance(scheduler, 2000); // both join at 0, see each other at once, work a lease duration later
    expect(a.views).toEqual(['0: inactive []', '0: inactive [a,b]', '2000: active [a,b]']);
    expect(b.views).toEqual(a.views);

    const c = replica('c'); // joins at 2000 while objects churn
    await run(3000);
    const ab = ['0: inactive []', '0: inactive [a,b]', '2000: active [a,b]', '2100: active [a,b,c]'];
    expect(a.views).toEqual(ab); // sees c's lease at its next renewal
    expect(b.views).toEqual(ab);
    expect(c.views).toEqual(['2000: inactive []', '2000: inactive [a,b,c]', '4000: active [a,b,c]']);
    expect(c.reconciled).toBeGreaterThan(50);

    const bReconciled = b.reconciled;
    let bStoppedAt: number | undefined;
    // Leaves cleanly at 5000: deletes its shard lease after its work ended.
    void b.controller.stop().then(() => (bStoppedAt = scheduler.now()));
    await run(10);
    expect(bStoppedAt).toBe(5000);
    expect(cluster.find(Leases, 'mirror-shard-b', 'default')).toBeUndefined();
    await run(1000);
    expect(a.views).toEqual([...ab, '5100: active [a,c]']);
    expect(b.views).toEqual([...ab, '5000: inactive [a,b,c]']);
    expect(c.views).toEqual([
      '2000: inactive []',
      '2000: inactive [a,b,c]',
      '4000: active [a,b,c]',
      '5300: active [a,c]',
    ]);
    churning = false; // at 6010

    // Every object converges to its desired state, 165 ms after the last write.
    const pending = () =>
      cluster
        .list(ConfigMaps, { labelSelector: SIM })
        .filter(
          (o) =>
            (o as Cm).metadata?.annotations?.[REVISION] !== (o as Cm).metadata?.annotations?.[RECONCILED],
        );
    while (pending().length > 0 && scheduler.now() < 10_000) await advance(scheduler, 1);
    expect(scheduler.now()).toBe(6175);
    expect(pending()).toHaveLength(0);
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
    expect(new Set(log.map((e) => e.replica))).toEqual(new Set(['a', 'b', 'c']));
    const misplaced = cluster
      .list(ConfigMaps, { labelSelector: SIM })
      .map((o) => `${o.metadata!.namespace}/${o.metadata!.name}`)
      .filter((key) => byKey.get(key)!.at(-1)!.replica !== rendezvousOwner(key, ['a', 'c']));
    expect(misplaced).toEqual([]);
    console.info(
      `churn: ${counts.created + counts.updated + counts.deleted} writes at 400/s (virtual); reconciles: ${log.length} (a ${a.reconciled}, b ${bReconciled}, c ${c.reconciled} writes); keys: ${byKey.size}`,
    );
    const stopped = Promise.all([a, c].map((r) => r.controller.stop()));
    await advance(scheduler, 10);
    await stopped;
    for (const r of [a, b, c]) r.factory.shutdown();
    await advance(scheduler, 0);
    expect(cluster.list(Leases, { namespace: 'default' })).toHaveLength(0);
    expect(scheduler.actions).toEqual([]); // no timer outlives the replicas
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
