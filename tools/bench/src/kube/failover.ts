import { LeaderElector, type LeaseTimings } from '@rxinformer/controller';
import { firstValueFrom, filter, timeout } from 'rxjs';
import { startOperator, type Operator } from '../../../../apps/operator-example/src/operator.js';
import type { ResultRecord } from '../report.js';
import type { KubeBackend } from './kube-backend.js';
import { ReconcileCounter } from './reconcile-counter.js';
import { WebsiteFleet, tokenKubeConfig } from './website-fleet.js';
import { WriteAuditProxy } from './write-audit-proxy.js';

/** Short lease timings, so a takeover takes seconds: lease 3 s, renew deadline 2 s, retry 0.5 s. */
export const FAILOVER_TIMINGS: Required<LeaseTimings> = {
  leaseDurationMs: 3_000,
  renewDeadlineMs: 2_000,
  retryPeriodMs: 500,
};

/** The Lease the operator elects its leader on (apps/operator-example/src/operator.ts). */
const LEASE = 'website-operator';
const WAIT_MS = 60_000;

/** What a failover run is given. */
export interface FailoverRun {
  readonly kube: KubeBackend;
  /** warm: the standby runs its operator (informers synced) all along; cold: it starts it on acquiring the lease. */
  readonly standby: 'warm' | 'cold';
  readonly websites: number;
  readonly log: (line: string) => void;
}

/** Resolves when `operator` leads (its elector's `leader$`), with the time it did. */
const leading = (operator: Pick<Operator, 'elector'>) =>
  firstValueFrom(operator.elector.leader$.pipe(filter(Boolean), timeout(WAIT_MS))).then(() =>
    performance.now(),
  );

/**
 * A leader failover of the sample operator in one process, on a fresh namespace: replica A leads
 * and has converged every Website; the standby waits. A is killed without releasing the Lease
 * (its connections are cut at its {@link WriteAuditProxy}: its elector cannot renew, the Lease
 * expires on its own), and a Website's spec changes at once. Measured from the kill: when the
 * standby leads, when it starts its first reconcile, and when the changed Website has converged
 * in the cluster (ConfigMap, Deployment and status, polled every 20 ms with the bench's client).
 *
 * - `warm`: the standby B runs `startOperator` from the start, so its informers are synced and
 *   its controller stands by (the controller subscribes its informers at start).
 * - `cold`: the standby C only campaigns with a LeaderElector of its own on the same Lease and
 *   identity, and starts its operator (informers included) once that elector acquires it; the
 *   elector then stops without releasing, and the operator's own elector renews the Lease.
 *
 * @example
 * ```ts
 * const warm = await failoverRun({ kube, standby: 'warm', websites: 50, log });
 * console.log(warm.first_reconcile_ms);
 * ```
 */
export async function failoverRun(run: FailoverRun): Promise<ResultRecord> {
  const { kube } = run.kube;
  const namespace = `failover-${run.standby}-${Date.now().toString(36)}`;
  const admin = tokenKubeConfig(kube.server, kube.adminToken, kube.caPem);
  const fleet = await WebsiteFleet.create(admin, namespace, run.websites);
  const proxy = await WriteAuditProxy.start(kube.server, kube.caPem);
  let killedAt: number | undefined;
  const common = { namespace, timings: FAILOVER_TIMINGS };
  const a = startOperator({
    ...common,
    kubeConfig: tokenKubeConfig(proxy.url, kube.adminToken),
    identity: 'replica-a',
  });
  const operators: Operator[] = [a];
  let campaigner: LeaderElector | undefined;
  const record: ResultRecord = {
    scenario: 'failover',
    subject: run.standby === 'warm' ? 'warm (informers synced)' : 'cold (starts on acquiring)',
    server: 'kube-apiserver',
    objects: run.websites,
  };
  try {
    await leading(a);
    await fleet.waitConverged(WAIT_MS);
    let standby: { leaderAt: Promise<number>; reconciles: Promise<ReconcileCounter> };
    if (run.standby === 'warm') {
      const b = startOperator({ ...common, kubeConfig: admin, identity: 'replica-b' });
      operators.push(b);
      const reconciles = ReconcileCounter.attach(b.controller);
      await firstValueFrom(
        b.controller.status$.pipe(
          filter((s) => s.phase === 'standby'),
          timeout(WAIT_MS),
        ),
      );
      standby = { leaderAt: leading(b), reconciles: Promise.resolve(reconciles) };
    } else {
      const elector = new LeaderElector({
        kubeConfig: admin,
        namespace,
        name: LEASE,
        identity: 'replica-c',
        ...FAILOVER_TIMINGS,
        releaseOnCancel: false,
      });
      campaigner = elector;
      elector.start();
      const leaderAt = firstValueFrom(elector.leader$.pipe(filter(Boolean), timeout(WAIT_MS))).then(() =>
        performance.now(),
      );
      const reconciles = leaderAt.then(() => {
        const c = startOperator({ ...common, kubeConfig: admin, identity: 'replica-c' });
        operators.push(c);
        const counter = ReconcileCounter.attach(c.controller);
        counter.mark();
        void elector.stop(); // the operator's elector, of the same identity, renews the Lease from now on
        return counter;
      });
      reconciles.catch(() => undefined); // awaited only after leaderAt: a timeout is reported there
      // Let the campaigner see the Lease held, so it waits a full lease duration like a warm standby.
      await new Promise((resolve) => setTimeout(resolve, FAILOVER_TIMINGS.retryPeriodMs * 2));
      standby = { leaderAt, reconciles };
    }
    if (run.standby === 'warm') (await standby.reconciles).mark();
    killedAt = performance.now();
    proxy.cut();
    await fleet.change(0, { message: 'after failover', replicas: 2 });
    const changedAt = await fleet.waitOneConverged(0, WAIT_MS);
    const leaderAt = await standby.leaderAt;
    const first = (await standby.reconciles).snapshot().firstAfterMark;
    record.takeover_ms = leaderAt - killedAt;
    if (first !== undefined) record.first_reconcile_ms = first - killedAt;
    record.changed_reconciled_ms = changedAt - killedAt;
    await fleet.waitConverged(WAIT_MS);
  } catch (e) {
    const standby = operators[1]?.controller.status;
    record.errors = [
      `${(e as Error).message}${standby ? ` (standby: ${standby.phase}, ${standby.reconcileErrors} reconcile errors, last ${standby.lastError?.message ?? 'none'})` : ''}`,
    ];
  } finally {
    await campaigner?.stop();
    await Promise.all(operators.map((o) => o.stop()));
    await proxy.close();
    fleet.close();
  }
  run.log(
    `    ${run.standby} standby: leader ${record.takeover_ms?.toFixed(0) ?? '?'} ms, first reconcile ${record.first_reconcile_ms?.toFixed(0) ?? '?'} ms, changed Website ${record.changed_reconciled_ms?.toFixed(0) ?? '?'} ms after the kill`,
  );
  return record;
}
