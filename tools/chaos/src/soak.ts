// `npm run soak -- --minutes N`: a bounded soak of informers on the simulator with churn and a
// fault every few seconds. Samples heap (after a forced GC) and open file descriptors
// (/proc/self/fd) over time, prints them as a table, fits a line to the samples after the
// warm-up and prints the slopes and a verdict. Exits non-zero if heap or fds grow, or if the
// cache does not match the server at the end. Needs --expose-gc (the npm script passes it).
import { readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  ConfigMaps,
  Pods,
  createInformerFactory,
  objectKey,
  type Informer,
  type KubeObject,
} from '@rxinformer/core';
import { churn, createKubeApiServer, populate, seededRandom } from '@rxinformer/testing';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '2' },
    'sample-seconds': { type: 'string' },
    pods: { type: 'string', default: '2000' },
    rate: { type: 'string', default: '300' },
    'fault-seconds': { type: 'string', default: '4' },
    seed: { type: 'string', default: '7' },
  },
});

const minutes = Number(values.minutes);
const durationMs = minutes * 60_000;
const sampleMs =
  values['sample-seconds'] !== undefined
    ? Number(values['sample-seconds']) * 1000
    : Math.max(2000, durationMs / 30);
const warmupMs = Math.max(20_000, durationMs * 0.25);
const seed = Number(values.seed);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) console.warn('soak: run with --expose-gc (npm run soak does) for meaningful heap numbers');

const fds = () => {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return Number.NaN;
  }
};
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const server = await createKubeApiServer({ seed, bookmarkIntervalMs: 1000, historySize: 2000 });
await populate(server, { count: Number(values.pods), namespaces: 5, seed, bytes: 2000 });
for (let i = 0; i < 200; i++)
  server.create(ConfigMaps, { metadata: { name: `cm-${i}`, namespace: 'soak' }, data: { i: String(i) } });

const factory = createInformerFactory({
  kubeConfig: server.kubeConfig,
  lingerMs: 0,
  random: seededRandom(seed).next,
  reflector: { backoff: { initialMs: 20, maxMs: 500 }, watchdogMs: 3000 },
});
const pods = factory.informer(Pods);
const podMeta = factory.informer(Pods, { metadataOnly: true });
const configMaps = factory.informer(ConfigMaps, { namespace: 'soak' });
let events = 0;
const subscriptions = ([pods, podMeta, configMaps] as unknown as Informer<KubeObject>[]).map((i) =>
  i.events$.subscribe({ next: () => events++, error: (e: unknown) => console.error('informer error', e) }),
);
// A late subscriber that comes and goes, as dashboards do.
const churnSubscriber = setInterval(() => {
  const s = pods.items$.subscribe();
  setTimeout(() => s.unsubscribe(), 500);
}, 3000);
await Promise.all([pods.synced, podMeta.synced, configMaps.synced]);

const run = churn(server, { ratePerSecond: Number(values.rate), mix: { update: 8, create: 1, delete: 1 } });
const rng = seededRandom(seed + 1);
const faultNames = ['drop', 'compact', '503', 'restart', 'cut', 'malformed', 'stall'] as const;
const faultCounts: Record<string, number> = {};
const faultTimer = setInterval(
  () => {
    const kind = rng.pick(faultNames);
    faultCounts[kind] = (faultCounts[kind] ?? 0) + 1;
    const f = server.faults;
    if (kind === 'drop') f.dropWatches();
    else if (kind === 'compact') {
      f.compactHistory();
      f.dropWatches();
    } else if (kind === '503') {
      f.failNext(3, { code: 503, retryAfterSeconds: 0 });
      f.dropWatches();
    } else if (kind === 'restart') void f.restart();
    else if (kind === 'cut') f.cutNextWatchLine();
    else if (kind === 'malformed') f.sendMalformedWatchLine();
    else {
      const stall = f.stallWatches();
      setTimeout(() => stall.cancel(), 4000);
    }
  },
  Number(values['fault-seconds']) * 1000,
);

interface Sample {
  t: number;
  heapMb: number;
  rssMb: number;
  fds: number;
  cached: number;
  events: number;
  relists: number;
}
const samples: Sample[] = [];
const started = Date.now();
const mb = (n: number) => n / (1 << 20);
console.log(
  `soak: ${minutes} min, ${values.pods} pods + 200 configmaps, churn ${values.rate}/s, a fault every ${values['fault-seconds']} s, 3 informers; sample every ${sampleMs / 1000} s, warm-up ${warmupMs / 1000} s`,
);
console.log('   t(s)  heap(MB)   rss(MB)   fds   cached    events  relists');
while (Date.now() - started < durationMs) {
  await delay(sampleMs);
  gc?.();
  await delay(0);
  gc?.();
  const m = process.memoryUsage();
  const s: Sample = {
    t: (Date.now() - started) / 1000,
    heapMb: mb(m.heapUsed),
    rssMb: mb(m.rss),
    fds: fds(),
    cached: pods.store.size + podMeta.store.size + configMaps.store.size,
    events,
    relists: pods.health.relists + podMeta.health.relists + configMaps.health.relists,
  };
  samples.push(s);
  console.log(
    `${s.t.toFixed(0).padStart(7)} ${s.heapMb.toFixed(1).padStart(9)} ${s.rssMb.toFixed(1).padStart(9)} ${String(s.fds).padStart(5)} ${String(s.cached).padStart(8)} ${String(s.events).padStart(9)} ${String(s.relists).padStart(8)}${s.t * 1000 < warmupMs ? '  (warm-up)' : ''}`,
  );
}

clearInterval(faultTimer);
clearInterval(churnSubscriber);
server.faults.clear();
const stats = await run.stop();
// Calm: the caches must match the server again.
let converged = false;
for (let i = 0; i < 200 && !converged; i++) {
  await delay(50);
  const want = new Map(server.list(Pods).map((p) => [objectKey(p), p.metadata?.resourceVersion]));
  converged =
    pods.store.size === want.size &&
    pods.store.list().every((p) => want.get(objectKey(p)) === p.metadata?.resourceVersion) &&
    podMeta.store.size === want.size;
}

/** Least-squares slope and its standard error. */
function fit(points: { x: number; y: number }[]): { slope: number; se: number } {
  const n = points.length;
  if (n < 3) return { slope: 0, se: Number.POSITIVE_INFINITY };
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const sxx = points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  const slope = sxx === 0 ? 0 : points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0) / sxx;
  const residual = points.reduce((a, p) => a + (p.y - (my + slope * (p.x - mx))) ** 2, 0) / (n - 2);
  return { slope, se: sxx === 0 ? Number.POSITIVE_INFINITY : Math.sqrt(residual / sxx) };
}
const steady = samples.filter((s) => s.t * 1000 >= warmupMs);
const heapFit = fit(steady.map((s) => ({ x: s.t / 60, y: s.heapMb }))); // MB per minute
const fdFit = fit(steady.map((s) => ({ x: s.t / 60, y: s.fds }))); // fds per minute
const heapSlope = heapFit.slope;
const fdSlope = fdFit.slope;
const heapMean = steady.reduce((a, s) => a + s.heapMb, 0) / Math.max(1, steady.length);
const fdRange = steady.length
  ? Math.max(...steady.map((s) => s.fds)) - Math.min(...steady.map((s) => s.fds))
  : 0;
// Flat: no growth that stands out of the sawtooth (slope within 2 standard errors of zero),
// or growth under 1 MB/min; fds move within a few sockets with no trend.
const heapFlat = steady.length >= 3 && (heapSlope <= 2 * heapFit.se || heapSlope < 1);
const fdFlat = steady.length >= 3 && fdRange <= 6 && (fdSlope <= 2 * fdFit.se || fdSlope < 1);
console.log(
  `\nchurn: ${stats.events} writes (${stats.created} created, ${stats.updated} updated, ${stats.deleted} deleted); faults: ${Object.entries(
    faultCounts,
  )
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}; events delivered ${events}`,
);
console.log(
  `heap slope after warm-up: ${heapSlope >= 0 ? '+' : ''}${heapSlope.toFixed(2)} ± ${heapFit.se.toFixed(2)} MB/min (mean ${heapMean.toFixed(1)} MB) -> ${heapFlat ? 'FLAT' : 'GROWING'}`,
);
console.log(
  `fd slope after warm-up: ${fdSlope >= 0 ? '+' : ''}${fdSlope.toFixed(2)} ± ${fdFit.se.toFixed(2)} fds/min (range ${fdRange}) -> ${fdFlat ? 'FLAT' : 'GROWING'}`,
);
console.log(`caches match the server after the soak: ${converged ? 'yes' : 'NO'}`);
console.log(`verdict: ${heapFlat && fdFlat && converged ? 'PASS' : 'FAIL'}`);
subscriptions.forEach((s) => s.unsubscribe());
factory.shutdown();
await server.close();
process.exit(heapFlat && fdFlat && converged ? 0 : 1);
