import type { ReplayScenarioName, ScenarioName, Sizes } from './options.js';
import type { ResultRecord } from './report.js';
import type { ServerClient } from './server/server-client.js';
import { launch } from './subjects/launch.js';
import type { SubjectName, SubjectResult, SubjectRun } from './subjects/protocol.js';

/** What a scenario needs from the bench: the server, the sizes, the subjects asked for, a log. */
export interface ScenarioContext {
  readonly server: ServerClient;
  readonly sizes: Sizes;
  readonly subjects: readonly SubjectName[];
  readonly log: (line: string) => void;
}

/** One subject run's record (a repetition); the bench folds repetitions into medians. */
export type Variant = Omit<SubjectRun, 'kubeconfig' | 'scenario'> & { readonly label?: string };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `requests`: what the replay server counted (the kube backend does not count). */
export function toRecord(
  scenario: string,
  label: string,
  run: Variant,
  result: SubjectResult,
  requests?: { list: number; watch: number; watchList: number },
): ResultRecord {
  const fields: Record<string, number | undefined> = {
    objects: result.objects,
    list_requests: requests?.list,
    watch_requests: requests && requests.watch + requests.watchList,
    peak_rss_bytes: result.peak_rss_bytes,
    subscribers: run.subscribers,
    p50_ms: result.p50_ms,
    p99_ms: result.p99_ms,
    max_ms: result.max_ms,
  };
  if (run.events > 0 && scenario !== 'relist') {
    Object.assign(fields, {
      events: result.events,
      seconds: result.seconds,
      events_per_s: result.events_per_s,
      cpu_us_per_event:
        result.cpu_s !== undefined && result.events ? (result.cpu_s / result.events) * 1e6 : undefined,
    });
  } else {
    Object.assign(fields, {
      seconds: result.sync_seconds,
      max_stall_ms: result.max_stall_ms,
      heap_bytes_per_object: result.heap_bytes_per_object,
    });
  }
  if (scenario === 'relist') {
    fields.same_rv_updates = result.same_rv_updates;
    if (result.steady_rss_bytes)
      fields.relist_peak_rss_ratio = (result.relist_peak_rss_bytes ?? 0) / result.steady_rss_bytes;
    if (result.steady_heap_bytes)
      fields.relist_peak_heap_ratio = (result.relist_peak_heap_bytes ?? 0) / result.steady_heap_bytes;
  }
  const record: ResultRecord = { scenario, subject: label, server: 'replay' };
  for (const [key, value] of Object.entries(fields))
    if (value !== undefined) (record as unknown as Record<string, number>)[key] = value;
  const errors = [
    ...(result.objects !== run.objects ? [`synced ${result.objects} objects, expected ${run.objects}`] : []),
    ...(result.error ? [result.error] : []),
  ];
  if (errors.length) record.errors = errors;
  return record;
}

/** Runs the variants in turns (variant after variant, repetition after repetition). */
async function turns(
  ctx: ScenarioContext,
  scenario: ScenarioName,
  variants: readonly Variant[],
  configure: (variant: Variant) => Parameters<ServerClient['configure']>[0],
  drive?: (variant: Variant, process: ReturnType<typeof launch>) => Promise<void>,
  reps = ctx.sizes.reps,
): Promise<ResultRecord[]> {
  const records: ResultRecord[] = [];
  for (let rep = 0; rep < reps; rep++) {
    for (const variant of variants) {
      const { label = variant.subject, ...run } = variant;
      await ctx.server.configure(configure(variant));
      const started = Date.now();
      const process = launch({ ...run, scenario, kubeconfig: ctx.server.kubeconfigPath });
      if (drive) await drive(variant, process);
      const result = await process.result;
      const record = toRecord(scenario, label, variant, result, await ctx.server.requests());
      ctx.log(
        `  ${scenario} ${label} rep ${rep + 1}/${reps}: ${((Date.now() - started) / 1000).toFixed(1)} s${record.errors ? ` ERROR ${record.errors.join('; ')}` : ''}`,
      );
      records.push(record);
    }
  }
  return records;
}

const only = (ctx: ScenarioContext, ...names: SubjectName[]) => names.filter((n) => ctx.subjects.includes(n));

export const scenarios: Record<ReplayScenarioName, (ctx: ScenarioContext) => Promise<ResultRecord[]>> = {
  'initial-sync': (ctx) => {
    const objects = ctx.sizes.initialObjects;
    return turns(
      ctx,
      'initial-sync',
      ctx.subjects.map((subject) => ({ subject, objects, events: 0 })),
      () => ({ objects, watch: { kind: 'idle' } }),
    );
  },

  'watch-throughput': (ctx) => {
    const { watchObjects: objects, watchEvents: events } = ctx.sizes;
    return turns(
      ctx,
      'watch-throughput',
      ctx.subjects.map((subject) => ({ subject, objects, events })),
      () => ({ objects, watch: { kind: 'burst', events, pods: objects } }),
    );
  },

  fanout: async (ctx) => {
    const { watchObjects: objects, fanoutEvents: events } = ctx.sizes;
    const variants = only(ctx, 'rxinformer', 'client-node', 'client-go').flatMap((subject) =>
      ctx.sizes.fanoutSubscribers.map((subscribers) => ({
        subject,
        objects,
        events,
        subscribers,
        label: `${subject} ×${subscribers}`,
      })),
    );
    return turns(
      ctx,
      'fanout',
      variants,
      () => ({ objects, watch: { kind: 'burst', events, pods: objects } }),
      undefined,
      ctx.sizes.fewReps,
    );
  },

  latency: (ctx) => {
    const { watchObjects: objects, latencyRate, latencySeconds } = ctx.sizes;
    const events = latencyRate * latencySeconds;
    return turns(
      ctx,
      'latency',
      ctx.subjects.map((subject) => ({ subject, objects, events })),
      () => ({ objects, watch: { kind: 'paced', events, pods: objects, ratePerSecond: latencyRate } }),
      undefined,
      ctx.sizes.fewReps,
    );
  },

  'slow-subscriber': (ctx) => {
    const { watchObjects: objects, latencyRate, latencySeconds } = ctx.sizes;
    const events = latencyRate * latencySeconds;
    const variants: Variant[] = [
      { subject: 'rxinformer', objects, events, label: 'rxinformer' },
      { subject: 'rxinformer', objects, events, slowSubscriber: true, label: 'rxinformer + slow subscriber' },
    ];
    return turns(
      ctx,
      'slow-subscriber',
      variants,
      () => ({ objects, watch: { kind: 'paced', events, pods: objects, ratePerSecond: latencyRate } }),
      undefined,
      ctx.sizes.fewReps,
    );
  },

  relist: async (ctx) => {
    const objects = ctx.sizes.relistObjects;
    // raw has no reflector: it does not relist.
    const variants = ctx.subjects
      .filter((s) => s !== 'raw')
      .map((subject) => ({ subject, objects, events: 0 }));
    return turns(
      ctx,
      'relist',
      variants,
      () => ({ objects, watch: { kind: 'idle' } }),
      async (_variant, process) => {
        const t0 = Date.now();
        await process.synced;
        const syncMs = Date.now() - t0;
        // Expire once the first watch is open (it opens right after the sync).
        let relisted: Promise<unknown> = Promise.resolve();
        for (let tries = 0; tries < 100; tries++) {
          relisted = ctx.server.nextWatch();
          if ((await ctx.server.expireWatches()) > 0) break;
          await sleep(100);
        }
        // The relist is a LIST then a WATCH, or one streaming WATCH: give it time to finish.
        await Promise.race([relisted, sleep(30_000)]);
        await sleep(Math.max(1000, syncMs * 1.5));
        process.stop();
      },
      ctx.sizes.fewReps,
    );
  },

  'memory-modes': (ctx) => {
    const objects = ctx.sizes.memoryObjects;
    const variants: Variant[] = [
      ...only(ctx, 'raw').map((subject) => ({
        subject,
        objects,
        events: 0,
        label: 'raw (JSON.parse, full)',
      })),
      ...(ctx.subjects.includes('rxinformer')
        ? (['full', 'stripped', 'metadata'] as const).map((memoryMode) => ({
            subject: 'rxinformer' as const,
            objects,
            events: 0,
            memoryMode,
            label: `rxinformer (${memoryMode})`,
          }))
        : []),
      ...only(ctx, 'client-node', 'client-go').map((subject) => ({ subject, objects, events: 0 })),
    ];
    return turns(
      ctx,
      'memory-modes',
      variants,
      () => ({ objects, watch: { kind: 'idle' } }),
      undefined,
      ctx.sizes.fewReps,
    );
  },

  adapters: (ctx) => {
    const { watchObjects: objects, adapterEvents: events } = ctx.sizes;
    const variants: Variant[] = [
      ...only(ctx, 'raw').map((subject) => ({ subject, objects, events })),
      ...(ctx.subjects.includes('rxinformer')
        ? [
            { subject: 'rxinformer' as const, objects, events },
            {
              subject: 'rxinformer' as const,
              objects,
              events,
              adapters: true,
              label: 'rxinformer + logging, metrics, batching',
            },
          ]
        : []),
    ];
    return turns(
      ctx,
      'adapters',
      variants,
      () => ({ objects, watch: { kind: 'burst', events, pods: objects } }),
      undefined,
      ctx.sizes.fewReps,
    );
  },
};
