import { startOperator } from '../../../../apps/operator-example/src/operator.js';
import type { ResultRecord } from '../report.js';
import type { KubeBackend } from './kube-backend.js';
import { ReconcileCounter } from './reconcile-counter.js';
import { WebsiteFleet, tokenKubeConfig } from './website-fleet.js';
import { WriteAuditProxy } from './write-audit-proxy.js';

/** One spec change every this many milliseconds during the churn. */
export const CHURN_INTERVAL_MS = 20;

/** How long the Websites may take to converge, at setup and after the churn. */
const CONVERGE_TIMEOUT_MS = 180_000;

/** After convergence, retries already queued still run: counted for a second more, in both modes. */
const SETTLE_MS = 1_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What one read-your-writes run is given. */
export interface ReadYourWritesRun {
  readonly kube: KubeBackend;
  readonly readYourWrites: boolean;
  readonly websites: number;
  readonly changesPerWebsite: number;
  readonly log: (line: string) => void;
}

/**
 * One run of the sample operator (`startOperator` of apps/operator-example) on a fresh
 * namespace, with the controller's read-your-writes off or on:
 *
 * 1. the Website CRD and `websites` Websites are created, then the operator starts and the
 *    bench waits until every Website has its ConfigMap, its Deployment and a current status;
 * 2. churn: `changesPerWebsite × websites` spec changes (message and replicas), round-robin, one
 *    every {@link CHURN_INTERVAL_MS} ms, written with the bench's own client;
 * 3. the bench waits until every Website converged to its last spec, then one more second.
 *
 * The operator talks to kube-apiserver through a {@link WriteAuditProxy}, which counts every
 * 409 it got (Conflict, AlreadyExists), including those the reconciler turned into a requeue,
 * and every write made on a cache older than its own last write of the object. Reconciles are
 * counted with a {@link ReconcileCounter}. Everything is counted from the operator's start
 * (the creates of step 1 are changes too: that is where duplicate creates happen).
 *
 * @example
 * ```ts
 * const on = await readYourWritesRun({ kube, readYourWrites: true, websites: 50, changesPerWebsite: 5, log });
 * console.log(on.conflicts, on.reconciles_per_change);
 * ```
 */
export async function readYourWritesRun(run: ReadYourWritesRun): Promise<ResultRecord> {
  const { kube } = run.kube;
  const mode = run.readYourWrites ? 'on' : 'off';
  const namespace = `ryw-${mode}-${Date.now().toString(36)}`;
  const admin = tokenKubeConfig(kube.server, kube.adminToken, kube.caPem);
  const fleet = await WebsiteFleet.create(admin, namespace, run.websites);
  const proxy = await WriteAuditProxy.start(kube.server, kube.caPem);
  const started = performance.now();
  const operator = startOperator({
    kubeConfig: tokenKubeConfig(proxy.url, kube.adminToken),
    namespace,
    identity: `bench-ryw-${mode}`,
    readYourWrites: run.readYourWrites,
  });
  const reconciles = ReconcileCounter.attach(operator.controller);
  const changes = run.websites * run.changesPerWebsite;
  const record: ResultRecord = {
    scenario: 'read-your-writes',
    subject: `website-operator, readYourWrites ${mode}`,
    server: 'kube-apiserver',
    objects: run.websites,
    changes: run.websites + changes,
  };
  const alive = () => {
    const { phase, failure } = operator.controller.status;
    if (phase === 'failed') throw failure?.error ?? new Error('the operator failed');
  };
  try {
    await fleet.waitConverged(CONVERGE_TIMEOUT_MS, alive);
    record.setup_s = (performance.now() - started) / 1000;
    run.log(
      `    ${mode}: ${run.websites} Websites converged in ${record.setup_s.toFixed(2)} s; churn of ${changes} changes …`,
    );
    await fleet.churn(changes, CHURN_INTERVAL_MS);
    const last = performance.now();
    await fleet.waitConverged(CONVERGE_TIMEOUT_MS, alive);
    record.converge_s = (performance.now() - last) / 1000;
    await sleep(SETTLE_MS);
  } catch (e) {
    record.errors = [(e as Error).message];
  } finally {
    const audit = proxy.audit;
    const count = reconciles.snapshot().count;
    Object.assign(record, {
      conflicts: audit.conflicts,
      already_exists: audit.alreadyExists,
      stale_writes: audit.staleWrites,
      reconcile_errors: operator.controller.status.reconcileErrors,
      reconciles: count,
      reconciles_per_change: count / (record.changes ?? 1),
    });
    await operator.stop();
    await proxy.close();
    fleet.close();
  }
  run.log(
    `    ${mode}: converged ${record.converge_s?.toFixed(2) ?? '?'} s after the last change; ${record.conflicts} Conflict, ${record.already_exists} AlreadyExists, ${record.stale_writes} stale writes, ${record.reconciles} reconciles`,
  );
  return record;
}
