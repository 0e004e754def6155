import type { ScenarioName, Sizes } from '../options.js';
import type { ResultRecord } from '../report.js';
import { toRecord, type Variant } from '../scenarios.js';
import { launch, type SubjectProcess } from '../subjects/launch.js';
import type { SubjectName } from '../subjects/protocol.js';
import { failoverRun } from './failover.js';
import type { KubeBackend } from './kube-backend.js';
import { readYourWritesRun } from './read-your-writes.js';

/** What a kube scenario needs: the running kube-apiserver, the sizes, the subjects, a log. */
export interface KubeScenarioContext {
  readonly kube: KubeBackend;
  readonly sizes: Sizes;
  readonly subjects: readonly SubjectName[];
  /** Add `client-go (protobuf)` after `client-go`. */
  readonly protobuf: boolean;
  readonly log: (line: string) => void;
}

type KubeVariant = Variant & { readonly protobuf?: boolean };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The subjects asked for, with client-go also run with protobuf when asked. */
export function kubeVariants(
  subjects: readonly SubjectName[],
  protobuf: boolean,
  objects: number,
  events: number,
): KubeVariant[] {
  return subjects.flatMap((subject): KubeVariant[] => [
    { subject, objects, events },
    ...(subject === 'client-go' && protobuf
      ? [{ subject, objects, events, protobuf: true, label: 'client-go (protobuf)' }]
      : []),
  ]);
}

/** Runs the variants in turns (variant after variant, repetition after repetition) against kube-apiserver. */
async function turns(
  ctx: KubeScenarioContext,
  scenario: ScenarioName,
  variants: readonly KubeVariant[],
  drive?: (process: SubjectProcess, events: number) => Promise<void>,
): Promise<ResultRecord[]> {
  const records: ResultRecord[] = [];
  for (let rep = 0; rep < ctx.sizes.reps; rep++) {
    for (const variant of variants) {
      const { label = variant.subject, protobuf, ...run } = variant;
      const started = Date.now();
      const process = launch(
        { ...run, scenario, kubeconfig: ctx.kube.kubeconfigPath },
        { protobuf: protobuf ?? false },
      );
      if (drive) await drive(process, run.events);
      const result = await process.result;
      const record: ResultRecord = {
        ...toRecord(scenario, label, variant, result),
        server: 'kube-apiserver',
      };
      ctx.log(
        `  ${scenario} ${label} rep ${rep + 1}/${ctx.sizes.reps}: ${((Date.now() - started) / 1000).toFixed(1)} s${record.errors ? ` ERROR ${record.errors.join('; ')}` : ''}`,
      );
      records.push(record);
      // Each run's writes stay in etcd unless compacted (kube-apiserver's compactor is off).
      if (run.events > 0) await ctx.kube.compact();
    }
  }
  return records;
}

async function fill(ctx: KubeScenarioContext, objects: number): Promise<void> {
  const t0 = Date.now();
  const rate = await ctx.kube.fill(objects, ctx.sizes.podBytes);
  ctx.log(
    `  created ${objects} pods in kube-apiserver (${((Date.now() - t0) / 1000).toFixed(1)} s, ${rate.toFixed(0)} POST/s; ${ctx.kube.jsonBytes.full} B/pod stored, ${ctx.kube.jsonBytes.stripped} B without managedFields)`,
  );
}

export const kubeScenarios: Partial<
  Record<ScenarioName, (ctx: KubeScenarioContext) => Promise<ResultRecord[]>>
> = {
  'initial-sync': async (ctx) => {
    const objects = ctx.sizes.initialObjects;
    await fill(ctx, objects);
    return turns(ctx, 'initial-sync', kubeVariants(ctx.subjects, ctx.protobuf, objects, 0));
  },

  'watch-throughput': async (ctx) => {
    const { watchObjects: objects, watchEvents: events } = ctx.sizes;
    await fill(ctx, objects);
    return turns(
      ctx,
      'watch-throughput',
      kubeVariants(ctx.subjects, ctx.protobuf, objects, events),
      async (process) => {
        let ended = false;
        void process.result.then(() => (ended = true));
        await process.synced;
        // The watch opens right after the sync (from the list's resourceVersion, so no write is
        // lost either way); the pause keeps the writes inside what kube-apiserver's watch cache holds.
        await sleep(500);
        const rate = await ctx.kube.patch(events, () => ended);
        ctx.log(`    ${rate.toFixed(0)} PATCH/s`);
      },
    );
  },

  'read-your-writes': async (ctx) => {
    const { websites, changesPerWebsite } = ctx.sizes;
    const records: ResultRecord[] = [];
    for (const readYourWrites of [false, true]) {
      records.push(
        await readYourWritesRun({
          kube: ctx.kube,
          readYourWrites,
          websites,
          changesPerWebsite,
          log: ctx.log,
        }),
      );
    }
    ctx.log('  failover (warm and cold standby) …');
    for (const standby of ['warm', 'cold'] as const) {
      records.push(await failoverRun({ kube: ctx.kube, standby, websites, log: ctx.log }));
    }
    return records;
  },
};
