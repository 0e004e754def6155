import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { firstValueFrom, filter } from 'rxjs';
import { ForbiddenError, Leases, ServerBusyError } from '@rxinformer/core';
import { createKubeApiServer, type KubeApiServer } from '@rxinformer/testing';
import { LeaderElector, type LeaderElectionOptions, type LeaseHealth } from '@rxinformer/controller';

/** Polls an assertion until it holds (the suite's own bound, far above what a run needs). */
const eventually = (assertion: () => void) => vi.waitFor(assertion, { timeout: 20_000, interval: 20 });
let server: KubeApiServer;
const electors: LeaderElector[] = [];
const timings = { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 300 };

beforeEach(async () => {
  server = await createKubeApiServer();
});
afterEach(async () => {
  await Promise.all(electors.splice(0).map((e) => e.stop()));
  await server.close();
});

/** A kubeconfig of its own, so a test can cut one candidate off the API server. */
function ownKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig());
  return kc;
}

function candidate(identity: string, options: Partial<LeaderElectionOptions> = {}) {
  const kubeConfig = ownKubeConfig();
  const elector = new LeaderElector({
    kubeConfig,
    namespace: 'default',
    name: 'op',
    identity,
    ...timings,
    ...options,
  });
  const intervals: { from: number; to?: number }[] = [];
  elector.leader$.subscribe((leading) => {
    if (leading) intervals.push({ from: performance.now() });
    else if (intervals.length > 0) intervals[intervals.length - 1]!.to = performance.now();
  });
  electors.push(elector);
  return { elector, intervals, kubeConfig };
}

type Spec = {
  holderIdentity?: string;
  leaseTransitions?: number;
  renewTime?: string;
  acquireTime?: string;
  leaseDurationSeconds?: number;
};
const lease = () => (server.find(Leases, 'op', 'default') as { spec?: Spec } | undefined)?.spec;

describe('leader election over the simulator', () => {
  it('elects one leader that writes client-go lease fields, and hands over cleanly on stop', async () => {
    const a = candidate('a');
    a.elector.start();
    await eventually(() => expect(a.elector.isLeader).toBe(true));
    // b would wait a minute for an abandoned lease: only a release lets it take over within the test.
    const b = candidate('b', { leaseDurationMs: 60_000 });
    b.elector.start();
    await eventually(() => expect(lease()?.renewTime).not.toBe(lease()?.acquireTime)); // a renewed at least once
    expect(b.elector.isLeader).toBe(false);
    expect(lease()).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 2, leaseTransitions: 0 });
    expect(lease()?.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);

    const stoppedAt = performance.now();
    await a.elector.stop();
    expect(a.elector.isLeader).toBe(false);
    await eventually(() => expect(b.elector.isLeader).toBe(true));
    const takeoverMs = performance.now() - stoppedAt;
    expect(lease()).toMatchObject({ holderIdentity: 'b', leaseDurationSeconds: 60, leaseTransitions: 1 });
    console.info(
      `clean handover took ${takeoverMs.toFixed(0)} ms (retry period ${timings.retryPeriodMs} ms)`,
    );
  });

  it('takes over a lease its holder stopped renewing only after a lease duration without change', async () => {
    const a = candidate('a', { releaseOnCancel: false });
    a.elector.start();
    await eventually(() => expect(a.elector.isLeader).toBe(true));
    const b = candidate('b');
    b.elector.start();
    await eventually(() => expect(lease()?.renewTime).not.toBe(lease()?.acquireTime));
    await a.elector.stop(); // like a crash: no release
    const lastRenew = Date.parse(lease()!.renewTime!);
    await eventually(() => expect(b.elector.isLeader).toBe(true));
    const acquired = Date.parse(lease()!.acquireTime!);
    expect(lease()).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    expect(acquired - lastRenew).toBeGreaterThanOrEqual(timings.leaseDurationMs);
  });

  it('never has two leaders when the leader is cut off from the API server', async () => {
    const a = candidate('a');
    a.elector.start();
    await eventually(() => expect(a.elector.isLeader).toBe(true));
    const b = candidate('b');
    b.elector.start();
    await eventually(() => expect(lease()?.renewTime).not.toBe(lease()?.acquireTime));
    const user = a.kubeConfig.getCurrentUser() as { token?: string };
    user.token = 'revoked'; // every request of a now fails with 401
    await eventually(() => expect(b.elector.isLeader).toBe(true));
    expect(a.elector.isLeader).toBe(false);
    const [aTerm] = a.intervals;
    const [bTerm] = b.intervals;
    expect(aTerm?.to).toBeDefined();
    expect(aTerm!.to!).toBeLessThan(bTerm!.from); // a stepped down before b started leading
    expect(lease()).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
  });

  it('gives up on a forbidden Lease (403) as data: health$ failed, never leader, ownership$ errors, no more requests', async () => {
    const forbidden = server.faults.failNext(Infinity, { code: 403 }, { resource: Leases });
    const a = candidate('a');
    const phases: LeaseHealth['phase'][] = [];
    a.elector.health$.subscribe((h) => phases.at(-1) !== h.phase && phases.push(h.phase));
    let ownershipError: unknown;
    a.elector.ownership$.subscribe({ error: (e: unknown) => (ownershipError = e) });
    a.elector.start();
    const failed = await firstValueFrom(a.elector.health$.pipe(filter((h) => h.phase === 'failed')));
    expect(failed.lastError).toBeInstanceOf(ForbiddenError);
    expect((failed.lastError as ForbiddenError).verb).toBe('get');
    expect(failed.failures).toBe(1);
    expect(ownershipError).toBe(failed.lastError);
    const leaseRequests = () =>
      server.requests.filter((r) => r.resource === 'leases.coordination.k8s.io').length;
    const before = leaseRequests();
    await new Promise((r) => setTimeout(r, 3 * timings.retryPeriodMs));
    expect(leaseRequests()).toBe(before); // gave up: not a retry every period
    expect(a.intervals).toEqual([]);
    expect(phases).toEqual(['idle', 'running', 'failed']);
    forbidden.cancel();
    await a.elector.stop();
    expect(a.elector.health.phase).toBe('failed'); // the reason stays visible after stop()
    a.elector.start(); // stop() then start() tries again
    await eventually(() => expect(a.elector.isLeader).toBe(true));
    expect(a.elector.health.phase).toBe('running');
  });

  it('steps down at once, not at its renew deadline, when its renewals become forbidden', async () => {
    const a = candidate('a');
    a.elector.start();
    await eventually(() => expect(a.elector.isLeader).toBe(true));
    const forbiddenAt = performance.now();
    server.faults.failNext(Infinity, { code: 403 }, { resource: Leases, verb: 'update' });
    await firstValueFrom(a.elector.leader$.pipe(filter((leading) => !leading)));
    // The next renewal (one retry period later) is refused: no waiting for the deadline.
    expect(performance.now() - forbiddenAt).toBeLessThan(timings.renewDeadlineMs - timings.retryPeriodMs);
    expect(a.elector.health).toMatchObject({ phase: 'failed' });
    expect((a.elector.health.lastError as ForbiddenError).verb).toBe('update');
    server.faults.clear();
  });

  it('retries transient failures (503) every retry period, shown on health$ as retrying, then leads', async () => {
    server.faults.failNext(3, { code: 503 }, { resource: Leases });
    const a = candidate('a');
    const seen: LeaseHealth[] = [];
    a.elector.health$.subscribe((h) => seen.push(h));
    a.elector.start();
    await eventually(() => expect(a.elector.isLeader).toBe(true));
    const retrying = seen.filter((h) => h.phase === 'retrying');
    expect(retrying.map((h) => h.failures)).toEqual([1, 2, 3]);
    expect(retrying.every((h) => h.lastError instanceof ServerBusyError)).toBe(true);
    expect(a.elector.health).toMatchObject({ phase: 'running', failures: 0 });
    expect(a.elector.health.lastError).toBeInstanceOf(ServerBusyError); // kept after recovery
  });
});
