import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import type { Adapter, PodLike, Subscriber } from './adapter.js';
import { clientNode } from './client-node.js';
import { SENT_ANNOTATION, type SubjectResult, type SubjectRun } from './protocol.js';
import { raw } from './raw.js';
import { rxinformer } from './rxinformer.js';

// One Node subject, in a process of its own: `node --expose-gc --import tsx run-subject.ts '<SubjectRun JSON>'`.

const adapters: Record<string, Adapter> = {
  raw,
  rxinformer: rxinformer('never'),
  'rxinformer-watchlist': rxinformer('always'),
  'client-node': clientNode,
};

const STALL_RESOLUTION_MS = 10;

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with --expose-gc');
  collect();
  collect();
}

function emit(message: unknown): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length ? sorted[Math.floor((sorted.length - 1) * p)]! : 0;
}

function waitForStop(): Promise<void> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: process.stdin });
    lines.on('line', (line) => {
      if (line.trim() === 'stop') {
        lines.close();
        resolve();
      }
    });
  });
}

async function main(run: SubjectRun): Promise<SubjectResult> {
  const adapter = adapters[run.subject];
  if (!adapter) throw new Error(`unknown Node subject ${run.subject}`);
  const latencyWanted = run.scenario === 'latency' || run.scenario === 'slow-subscriber';
  const latencies = new Float64Array(latencyWanted ? run.events : 0);
  let synced = false;
  let total = 0;
  // Throughput and latency count every MODIFIED (the initial state comes as ADDED); the window
  // runs from the first to the last one, so no subject depends on when it notices its sync.
  let modifiedCount = 0;
  let modifiedAfterSync = 0;
  let firstEventAt = 0;
  let lastEventAt = 0;
  let cpuAtFirstEvent = 0;
  let resolveEvents!: () => void;
  const eventsDone = new Promise<void>((resolve) => (resolveEvents = resolve));
  const primary: Subscriber = {
    added: () => void total++,
    modified: (object: PodLike) => {
      total++;
      if (synced) modifiedAfterSync++;
      const n = ++modifiedCount;
      lastEventAt = performance.now();
      if (n === 1) {
        firstEventAt = lastEventAt;
        cpuAtFirstEvent = cpuSeconds();
      }
      if (latencyWanted && n <= latencies.length) {
        const sent = object.metadata?.annotations?.[SENT_ANNOTATION];
        if (sent) latencies[n - 1] = performance.timeOrigin + lastEventAt - Number(sent);
      }
      if (run.events > 0 && n === run.events) resolveEvents();
    },
    deleted: () => void total++,
  };
  const others: Subscriber[] = [];
  const counts: number[] = [];
  for (let i = 1; i < (run.subscribers ?? 1); i++) {
    counts.push(0);
    others.push({
      added: () => void counts[i - 1]!++,
      modified: () => void counts[i - 1]!++,
      deleted: () => void counts[i - 1]!++,
    });
  }

  gc();
  const baseHeap = process.memoryUsage().heapUsed;
  const stalls = monitorEventLoopDelay({ resolution: STALL_RESOLUTION_MS });
  stalls.enable();
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  const handle = await adapter({
    kubeconfig: run.kubeconfig,
    subscribers: [primary, ...others],
    memoryMode: run.memoryMode ?? 'stripped',
    adapters: run.adapters ?? false,
    slowSubscriber: run.slowSubscriber ?? false,
    factoryOptions: run.factoryOptions ?? {},
  });
  await handle.synced;
  const syncedAt = performance.now();
  synced = true;
  stalls.disable();
  const cpuSynced = cpuSeconds();
  const objects = handle.size();
  const result: SubjectResult = {
    objects,
    sync_seconds: (syncedAt - t0) / 1000,
    sync_cpu_s: cpuSynced - cpu0,
    // The histogram records timer periods; what exceeds the period is the stall.
    max_stall_ms: Math.max(0, stalls.max / 1e6 - STALL_RESOLUTION_MS),
  };
  const measureHeap = () => {
    gc();
    const heap = process.memoryUsage().heapUsed - baseHeap;
    result.heap_bytes = heap;
    result.heap_bytes_per_object = objects ? heap / objects : 0;
  };
  emit({ event: 'synced', objects });

  if (run.scenario === 'relist') {
    measureHeap();
    const steadyRss = process.memoryUsage().rss;
    const steadyHeap = process.memoryUsage().heapUsed;
    const maxRssAtSync = process.resourceUsage().maxRSS * 1024;
    let peakRss = steadyRss;
    let peakHeap = steadyHeap;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      if (m.rss > peakRss) peakRss = m.rss;
      if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
    }, 5);
    await waitForStop();
    clearInterval(sampler);
    const maxRss = process.resourceUsage().maxRSS * 1024;
    // maxRSS covers the process's life: it says something about the relist only if it grew.
    if (maxRss > maxRssAtSync) peakRss = Math.max(peakRss, maxRss);
    Object.assign(result, {
      steady_rss_bytes: steadyRss,
      relist_peak_rss_bytes: peakRss,
      steady_heap_bytes: steadyHeap,
      relist_peak_heap_bytes: peakHeap,
      same_rv_updates: modifiedAfterSync,
    });
  } else if (run.events > 0) {
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([eventsDone, new Promise((resolve) => (timeout = setTimeout(resolve, 600_000)))]);
    clearTimeout(timeout);
    if (modifiedCount < run.events) result.error = `timed out after ${modifiedCount} of ${run.events} events`;
    const seconds = (lastEventAt - firstEventAt) / 1000;
    const cpu = cpuSeconds() - cpuAtFirstEvent;
    Object.assign(result, {
      events: modifiedCount,
      seconds,
      events_per_s: (modifiedCount - 1) / seconds,
      cpu_s: cpu,
    });
    if (latencyWanted) {
      const sorted = latencies.subarray(0, Math.min(modifiedCount, latencies.length)).sort();
      Object.assign(result, {
        p50_ms: percentile(sorted, 0.5),
        p99_ms: percentile(sorted, 0.99),
        max_ms: sorted.at(-1) ?? 0,
      });
    }
    if (handle.slowBatches) result.slow_batches = handle.slowBatches();
    const missing = counts.findIndex((n) => n < total);
    if (missing >= 0)
      result.error = `subscriber ${missing + 1} saw ${counts[missing]} events, the first saw ${total}`;
  } else {
    measureHeap();
  }
  result.peak_rss_bytes = process.resourceUsage().maxRSS * 1024;
  await handle.stop();
  return result;
}

const run = JSON.parse(process.argv[2] ?? '{}') as SubjectRun;
main(run).then(
  (result) => {
    emit({ result });
    process.exit(0);
  },
  (error: unknown) => {
    emit({ result: { objects: 0, sync_seconds: 0, error: String((error as Error)?.stack ?? error) } });
    process.exit(1);
  },
);
