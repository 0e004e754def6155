import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { skip, type VirtualTimeScheduler } from 'rxjs';
import {
  ForbiddenError,
  Leases,
  ServerBusyError,
  UnauthorizedError,
  type KubeClient,
} from '@rxinformer/core';
import { advance, type FakeCluster } from '@rxinformer/testing';
import { LeaderElector, type LeaderElectionOptions, type LeaseHealth } from '@rxinformer/controller';
import { createLeaseCluster, leaseRequests, severableClient } from './support/lease-cluster.js';

const timings = { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 300 };
let scheduler: VirtualTimeScheduler;
let cluster: FakeCluster;
const electors: LeaderElector[] = [];
/** Every change of leadership, as `<virtual ms>: <identity> leads|stands by`. */
let terms: string[];

beforeEach(() => {
  vi.spyOn(Math, 'random').mockReturnValue(0); // no jitter on a standby's retry period
  ({ scheduler, cluster } = createLeaseCluster());
  terms = [];
});
afterEach(async () => {
  await Promise.all(electors.splice(0).map(stop));
  vi.restoreAllMocks();
});

/** Stops an elector, letting the cluster answer its release. */
async function stop(elector: LeaderElector): Promise<void> {
  const stopped = elector.stop();
  await advance(scheduler, 0);
  await stopped;
}

function candidate(
  identity: string,
  options: Partial<LeaderElectionOptions> = {},
  client: KubeClient = cluster.client,
) {
  const elector = new LeaderElector({
    client,
    scheduler,
    namespace: 'default',
    name: 'op',
    identity,
    ...timings,
    ...options,
  });
  elector.leader$
    .pipe(skip(1)) // the replayed `false`
    .subscribe((leading) => terms.push(`${scheduler.now()}: ${identity} ${leading ? 'leads' : 'stands by'}`));
  electors.push(elector);
  return elector;
}

type Spec = {
  holderIdentity?: string;
  leaseTransitions?: number;
  renewTime?: string;
  acquireTime?: string;
  leaseDurationSeconds?: number;
};
const lease = () => (cluster.find(Leases, 'op', 'default') as { spec?: Spec } | undefined)?.spec;
/** A virtual time as the MicroTime the elector writes. */
const micro = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');

describe('leader election over a fake cluster in virtual time', () => {
  it('elects one leader that writes client-go lease fields, and hands over cleanly on stop', async () => {
    const a = candidate('a');
    a.start(); // creates the Lease at 0, renews every 300 ms
    await advance(scheduler, 0);
    expect(a.isLeader).toBe(true);
    // b would wait a minute for an abandoned lease: only a release lets it take over this soon.
    const b = candidate('b', { leaseDurationMs: 60_000 });
    await advance(scheduler, 150);
    b.start(); // polls at 150, 450, 750 …
    await advance(scheduler, 850);
    expect(b.isLeader).toBe(false);
    expect(lease()).toEqual({
      holderIdentity: 'a',
      leaseDurationSeconds: 2,
      leaseTransitions: 0,
      acquireTime: micro(0),
      renewTime: micro(900), // renewed at 300, 600, 900
    });
    expect(lease()?.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);

    await stop(a); // at 1000: releases the lease
    expect(a.isLeader).toBe(false);
    expect(lease()).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1, renewTime: micro(1000) });
    await advance(scheduler, 1_000);
    // b's first poll after the release (within one retry period), not 60 s later.
    expect(terms).toEqual(['0: a leads', '1000: a stands by', '1050: b leads']);
    expect(lease()).toMatchObject({
      holderIdentity: 'b',
      leaseDurationSeconds: 60,
      leaseTransitions: 1,
      acquireTime: micro(1050),
    });
  });

  it('takes over a lease its holder stopped renewing only after a lease duration without change', async () => {
    const a = candidate('a', { releaseOnCancel: false });
    a.start();
    await advance(scheduler, 150);
    const b = candidate('b');
    b.start(); // polls at 150, 450, 750 …
    await advance(scheduler, 850);
    await stop(a); // at 1000, like a crash: no release
    const lastRenew = Date.parse(lease()!.renewTime!);
    expect(lastRenew).toBe(900); // b first sees it at its poll at 1050
    await advance(scheduler, 5_000);
    // b leads at its first poll a lease duration after it saw the last change: 1050 + 2000,
    // rounded up to its 300 ms grid (3150). At 3000 it still stood by.
    expect(terms).toEqual(['0: a leads', '1000: a stands by', '3150: b leads']);
    expect(lease()).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1, acquireTime: micro(3150) });
    const acquired = Date.parse(lease()!.acquireTime!);
    expect(acquired - lastRenew).toBeGreaterThanOrEqual(timings.leaseDurationMs);
    expect(acquired - lastRenew).toBeLessThanOrEqual(timings.leaseDurationMs + 2 * timings.retryPeriodMs);
  });

  it('never has two leaders when the leader is cut off from the API server', async () => {
    const own = severableClient(cluster);
    const a = candidate('a', {}, own.client);
    const aHealth: LeaseHealth[] = [];
    a.health$.subscribe((h) => aHealth.push(h));
    a.start();
    await advance(scheduler, 150);
    const b = candidate('b');
    b.start();
    await advance(scheduler, 850);
    own.cutOff(); // at 1000: every request of a now fails with 401; its last renewal was at 900
    await advance(scheduler, 5_000);
    // a steps down at its renew deadline (900 + 1500), before b takes over (it saw the last
    // renewal at 1050, and takes the lease at its first poll 2000 ms later).
    expect(terms).toEqual(['0: a leads', '2400: a stands by', '3150: b leads']);
    expect(a.isLeader).toBe(false);
    expect(a.health).toMatchObject({ phase: 'retrying', lastSuccessAt: 900 });
    expect(a.health.lastError).toBeInstanceOf(UnauthorizedError);
    expect(aHealth.filter((h) => h.phase === 'retrying').map((h) => h.failures)).toEqual(
      Array.from({ length: 17 }, (_, i) => i + 1), // a retry every 300 ms, from 1200 to 6000
    );
    expect(lease()).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
  });

  it('gives up on a forbidden Lease (403) as data: health$ failed, never leader, ownership$ errors, no more requests', async () => {
    const forbidden = cluster.failNext(Infinity, { code: 403 }, { resource: Leases });
    const a = candidate('a');
    const phases: LeaseHealth['phase'][] = [];
    a.health$.subscribe((h) => phases.at(-1) !== h.phase && phases.push(h.phase));
    let ownershipError: unknown;
    a.ownership$.subscribe({ error: (e: unknown) => (ownershipError = e) });
    a.start();
    await advance(scheduler, 0);
    const failed = a.health;
    expect(failed.phase).toBe('failed');
    expect(failed.lastError).toBeInstanceOf(ForbiddenError);
    expect((failed.lastError as ForbiddenError).verb).toBe('get');
    expect(failed.failures).toBe(1);
    expect(ownershipError).toBe(failed.lastError);
    await advance(scheduler, 10 * timings.retryPeriodMs);
    expect(leaseRequests(cluster)).toEqual(['0: get op 403']); // gave up: not a retry every period
    expect(terms).toEqual([]);
    expect(phases).toEqual(['idle', 'running', 'failed']);
    forbidden.cancel();
    await stop(a);
    expect(a.health.phase).toBe('failed'); // the reason stays visible after stop()
    a.start(); // stop() then start() tries again
    await advance(scheduler, 0);
    expect(terms).toEqual(['3000: a leads']);
    expect(a.health.phase).toBe('running');
  });

  it('steps down at once, not at its renew deadline, when its renewals become forbidden', async () => {
    const a = candidate('a');
    a.start();
    await advance(scheduler, 1_000); // renewed at 300, 600, 900
    cluster.failNext(Infinity, { code: 403 }, { resource: Leases, verb: 'update' });
    await advance(scheduler, 3_000);
    // The next renewal (at 1200) is refused: no waiting for the deadline (900 + 1500).
    expect(terms).toEqual(['0: a leads', '1200: a stands by']);
    expect(a.health).toMatchObject({ phase: 'failed' });
    expect((a.health.lastError as ForbiddenError).verb).toBe('update');
    expect(leaseRequests(cluster).slice(-2)).toEqual(['1200: get op 200', '1200: update op 403']);
    cluster.faults.clear();
  });

  it('retries transient failures (503) every retry period, shown on health$ as retrying, then leads', async () => {
    cluster.failNext(3, { code: 503 }, { resource: Leases });
    const a = candidate('a');
    const seen: LeaseHealth[] = [];
    a.health$.subscribe((h) => seen.push(h));
    a.start();
    await advance(scheduler, 1_000);
    expect(leaseRequests(cluster).slice(0, 5)).toEqual([
      '0: get op 503',
      '300: get op 503',
      '600: get op 503',
      '900: get op 404',
      '900: create 201',
    ]);
    expect(terms).toEqual(['900: a leads']);
    const retrying = seen.filter((h) => h.phase === 'retrying');
    expect(retrying.map((h) => h.failures)).toEqual([1, 2, 3]);
    expect(retrying.every((h) => h.lastError instanceof ServerBusyError)).toBe(true);
    expect(a.health).toMatchObject({ phase: 'running', failures: 0 });
    expect(a.health.lastError).toBeInstanceOf(ServerBusyError); // kept after recovery
  });
});
