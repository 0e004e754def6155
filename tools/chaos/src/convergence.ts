import { ConfigMaps, createInformerFactory, type KubeObject, type Logger } from '@rxinformer/core';
import {
  createKubeApiServer,
  seededRandom,
  type FaultHandle,
  type KubeApiServer,
  type SeededRandom,
} from '@rxinformer/testing';
import { merge, type Observable, type Subscription } from 'rxjs';
import { EventAuditor, type DeliveryCounts } from './event-auditor.js';

/** The faults a chaos run draws from. */
export const FAULT_KINDS = [
  'drop',
  'compact',
  '429',
  '500',
  '503',
  'stall',
  'cut',
  'malformed',
  'restart',
  'latency',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Options of one seeded chaos run against the simulator. */
export interface ChaosOptions {
  readonly seed: number;
  /** Faults to inject before the calm phase. */
  readonly faults: number;
  /** Stop injecting after this long even if fewer faults fired (default: no limit). */
  readonly maxFaultPhaseMs?: number;
  /** Pause between faults, drawn uniformly (ms; default 5..50). */
  readonly faultGapMs?: readonly [number, number];
  /** Workload writes per 10 ms tick (default 2). */
  readonly writesPerTick?: number;
  /** Distinct object names the workload cycles through (default 60). */
  readonly names?: number;
  /** The bound on convergence once faults stop (default 15 s). */
  readonly convergeWithinMs?: number;
  /** Retry-After seconds of injected 429/503 (default 0, so in-suite runs stay fast). */
  readonly retryAfterSeconds?: number;
  /** Reconnect a silent watch after this long (default 150 ms). */
  readonly watchdogMs?: number;
  readonly logger?: Logger;
  /** Called with progress lines (CLI). */
  readonly progress?: (line: string) => void;
}

/** What a chaos run found. */
export interface ChaosResult {
  readonly seed: number;
  readonly faults: Record<FaultKind, number>;
  readonly faultsInjected: number;
  readonly writes: { created: number; updated: number; deleted: number };
  readonly delivered: DeliveryCounts;
  readonly converged: boolean;
  readonly convergeMs: number;
  /** Store vs server vs events after the calm phase (empty when converged). */
  readonly mismatches: readonly string[];
  /** Ordering and bookkeeping violations seen while events arrived. */
  readonly violations: readonly string[];
  readonly violationCount: number;
  readonly violationKinds: Readonly<Record<string, number>>;
  /** Errors that reached a subscriber's `error`, or unhandled rejections/exceptions. */
  readonly escaped: readonly string[];
  readonly health: { relists: number; restarts: number; lastReason: string | undefined; phase: string };
  readonly requests: number;
  /** The server's request log, one line a request (for diagnosis). */
  readonly requestLog: readonly string[];
}

const NAMESPACE = 'chaos';
const TICK_MS = 10;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One seeded chaos run: a workload of creates, updates and deletes on ConfigMaps in the
 * simulator while faults fire at random, then a calm phase in which the informer must converge
 * on the server's state within a bound. Every random choice (workload, faults, the informer's
 * jitter, the simulator's uids) derives from `seed`, so a failing seed can be replayed; timing
 * still varies between runs, so a replay explores the same faults in the same order, not the
 * same interleaving.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const rng = seededRandom(options.seed);
  const server = await createKubeApiServer({ seed: options.seed, bookmarkIntervalMs: 50, historySize: 500 });
  const escaped: string[] = [];
  const onRejection = (reason: unknown) => escaped.push(`unhandled rejection: ${describe(reason)}`);
  const onException = (error: unknown) => escaped.push(`uncaught exception: ${describe(error)}`);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtExceptionMonitor', onException);
  const watchdogMs = options.watchdogMs ?? 150;
  const factory = createInformerFactory({
    kubeConfig: server.kubeConfig,
    lingerMs: 0,
    random: seededRandom(options.seed ^ 0x5eed).next,
    ...(options.logger ? { logger: options.logger } : {}),
    reflector: { backoff: { initialMs: 5, maxMs: 50 }, watchdogMs, watchTimeoutSeconds: [5, 10] },
  });
  const informer = factory.informer(ConfigMaps, { namespace: NAMESPACE });
  const auditor = new EventAuditor();
  const subscriptions: Subscription[] = [];
  const faults = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  const writes = { created: 0, updated: 0, deleted: 0 };
  let converged = false;
  let convergeMs = 0;
  let mismatches: string[] = [];
  try {
    subscriptions.push(
      informer.events$.subscribe({
        next: auditor.observe,
        error: (e: unknown) => escaped.push(`events$ error: ${describe(e)}`),
        complete: () => escaped.push('events$ completed while running'),
      }),
    );
    await informer.synced;

    const workload = runWorkload(server, rng, options, writes);
    const open: FaultHandle[] = [];
    const started = Date.now();
    const [gapMin, gapMax] = options.faultGapMs ?? [5, 50];
    let injected = 0;
    while (
      injected < options.faults &&
      (options.maxFaultPhaseMs === undefined || Date.now() - started < options.maxFaultPhaseMs)
    ) {
      const kind = rng.pick(FAULT_KINDS);
      const t0 = Date.now();
      await inject(server, kind, rng, open, options.retryAfterSeconds ?? 0, watchdogMs);
      const took = Date.now() - t0;
      if (took > 200) options.progress?.(`seed ${options.seed}: fault ${kind} took ${took} ms`);
      faults[kind]++;
      injected++;
      if (options.progress && injected % 500 === 0)
        options.progress(
          `seed ${options.seed}: ${injected} faults, ${writes.created + writes.updated + writes.deleted} writes`,
        );
      await delay(gapMin + rng.int(gapMax - gapMin + 1));
      // Now and then a calm stretch, so watches also deliver events between faults.
      if (rng.next() < 0.08) await delay(50 + rng.int(200));
    }
    workload.stop();
    await workload.done;
    for (const handle of open.splice(0)) handle.cancel();
    server.faults.clear();

    const calmFrom = Date.now();
    const state = () =>
      auditor.mismatches(
        informer.store as never,
        server.list(ConfigMaps, { namespace: NAMESPACE }) as KubeObject[],
      );
    const storeMatches = () =>
      auditor.storeMismatches(
        informer.store as never,
        server.list(ConfigMaps, { namespace: NAMESPACE }) as KubeObject[],
      ).length === 0;
    converged = await until(
      storeMatches,
      merge(informer.items$, informer.health$),
      options.convergeWithinMs ?? 15_000,
    );
    convergeMs = Date.now() - calmFrom;
    mismatches = state();
    // Let in-flight rejections surface before judging.
    await delay(20);
  } finally {
    subscriptions.forEach((s) => s.unsubscribe());
    factory.shutdown();
    await server.close();
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtExceptionMonitor', onException);
  }
  const health = informer.health;
  return {
    seed: options.seed,
    faults,
    faultsInjected: Object.values(faults).reduce((a, b) => a + b, 0),
    writes,
    delivered: auditor.counts,
    converged,
    convergeMs,
    mismatches,
    violations: auditor.violations,
    violationCount: auditor.violationCount,
    violationKinds: auditor.violationKinds,
    escaped,
    health: {
      relists: health.relists,
      restarts: health.restarts,
      lastReason: health.lastReason,
      phase: health.phase,
    },
    requests: server.requests.length,
    requestLog: server.requests.map(
      (r) => `${r.at} ${r.verb} ${r.status} ${new URLSearchParams(r.query).toString()}`,
    ),
  };
}

async function inject(
  server: KubeApiServer,
  kind: FaultKind,
  rng: SeededRandom,
  open: FaultHandle[],
  retryAfterSeconds: number,
  watchdogMs: number,
): Promise<void> {
  const resource = ConfigMaps;
  const faults = server.faults;
  const later = (handle: FaultHandle, ms: number) => {
    open.push(handle);
    setTimeout(() => handle.cancel(), ms).unref();
  };
  switch (kind) {
    case 'drop':
      faults.dropWatches({ resource });
      return;
    case 'compact':
      faults.compactHistory();
      faults.dropWatches({ resource });
      return;
    case '429':
    case '503':
      faults.failNext(1 + rng.int(3), { code: Number(kind), retryAfterSeconds }, { resource });
      faults.dropWatches({ resource });
      return;
    case '500':
      faults.failNext(1 + rng.int(3), { code: 500 }, { resource });
      faults.dropWatches({ resource });
      return;
    case 'stall':
      later(faults.stallWatches({ resource }), 20 + rng.int(watchdogMs * 3));
      return;
    case 'cut':
      faults.cutNextWatchLine({ resource });
      return;
    case 'malformed':
      faults.sendMalformedWatchLine({ resource });
      return;
    case 'restart':
      await faults.restart();
      return;
    case 'latency':
      later(faults.addLatency(5 + rng.int(60), { resource }), 20 + rng.int(200));
      return;
  }
}

function runWorkload(
  server: KubeApiServer,
  rng: SeededRandom,
  options: ChaosOptions,
  writes: { created: number; updated: number; deleted: number },
): { stop(): void; done: Promise<void> } {
  let stopped = false;
  const names = options.names ?? 60;
  const perTick = options.writesPerTick ?? 2;
  const done = (async () => {
    while (!stopped) {
      for (let i = 0; i < perTick; i++) {
        const name = `cm-${rng.int(names)}`;
        const existing = server.find(ConfigMaps, name, NAMESPACE);
        const roll = rng.next();
        if (!existing) {
          server.create(ConfigMaps, {
            metadata: { name, namespace: NAMESPACE, labels: { app: 'chaos' } },
            data: { v: '0' },
          });
          writes.created++;
        } else if (roll < 0.25) {
          server.delete(ConfigMaps, name, NAMESPACE);
          writes.deleted++;
        } else {
          server.patch(ConfigMaps, name, { data: { v: String(rng.int(1e9)) } }, { namespace: NAMESPACE });
          writes.updated++;
        }
      }
      await delay(TICK_MS);
    }
  })();
  return { stop: () => void (stopped = true), done };
}

/** Resolves true once `check` holds (checked now and on every `trigger`), false after `timeoutMs`. */
function until(check: () => boolean, trigger: Observable<unknown>, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (check()) return resolve(true);
    let timer: NodeJS.Timeout | undefined = undefined;
    let done = false;
    const subscription: Subscription = trigger.subscribe(() => {
      if (done || !check()) return;
      done = true;
      clearTimeout(timer);
      queueMicrotask(() => subscription.unsubscribe());
      resolve(true);
    });
    if (done) return;
    timer = setTimeout(() => {
      subscription.unsubscribe();
      resolve(check());
    }, timeoutMs);
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
