import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { KUBE_ONLY_SCENARIOS, parseOptions, type BenchOptions } from './options.js';
import { aggregate, markdownTable, type BenchReport, type ResultRecord } from './report.js';
import { KubeBackend } from './kube/kube-backend.js';
import { kubeScenarios } from './kube/kube-scenarios.js';
import { scenarios } from './scenarios.js';
import { ServerClient } from './server/server-client.js';
import { buildClientGo, bundleNodeSubjects } from './subjects/launch.js';

// `npm run bench -- [--quick] [--scenario …] [--subjects …] [--out FILE]`: see options.ts and README.md.

const log = (line: string) => process.stderr.write(`${line}\n`);

/** Derived numbers: cost per extra subscriber (fanout), JSON size per object (memory). */
function derive(records: ResultRecord[], jsonBytes: { full: number; stripped: number }): ResultRecord[] {
  for (const r of records) {
    if (r.scenario === 'fanout' && r.subscribers && r.subscribers > 1) {
      const one = records.find(
        (o) =>
          o.scenario === 'fanout' &&
          o.subscribers === 1 &&
          o.subject.split(' ')[0] === r.subject.split(' ')[0],
      );
      if (one?.cpu_us_per_event !== undefined && r.cpu_us_per_event !== undefined) {
        r.us_per_event_per_extra_subscriber =
          (r.cpu_us_per_event - one.cpu_us_per_event) / (r.subscribers - 1);
      }
    }
    if (r.scenario === 'memory-modes' || r.scenario === 'initial-sync') {
      // rxinformer strips managedFields unless told not to; the other subjects keep them.
      if (r.subject.includes('(metadata)')) continue;
      r.json_bytes_per_object =
        r.subject.startsWith('rxinformer') && !r.subject.includes('(full)')
          ? jsonBytes.stripped
          : jsonBytes.full;
    }
  }
  return records;
}

interface Runs {
  readonly raw: ResultRecord[];
  /** Average JSON size of the synced pods, with and without managedFields. */
  readonly jsonBytes: { full: number; stripped: number };
}

/** The default backend: the replay server process (src/server). */
async function runReplay(options: BenchOptions, started: number): Promise<Runs> {
  const { sizes } = options;
  const needed = Math.max(
    ...options.scenarios.map((s) =>
      s === 'initial-sync'
        ? sizes.initialObjects
        : s === 'relist'
          ? sizes.relistObjects
          : s === 'memory-modes'
            ? sizes.memoryObjects
            : sizes.watchObjects,
    ),
  );
  log(`generating ${needed} pods of ~${sizes.podBytes} bytes in the server process …`);
  const server = await ServerClient.start(needed, sizes.podBytes);
  log(
    `server ready at ${server.ready.url} (${((Date.now() - started) / 1000).toFixed(1)} s): ${server.ready.averageBytes} B/pod, ${server.ready.averageStrippedBytes} B without managedFields`,
  );
  const raw: ResultRecord[] = [];
  try {
    for (const name of options.scenarios) {
      log(`${name} …`);
      const scenario = (scenarios as Partial<typeof scenarios>)[name as keyof typeof scenarios];
      if (!scenario) throw new Error(`the replay server does not run ${name}`);
      raw.push(...(await scenario({ server, sizes, subjects: options.subjects, log })));
    }
  } finally {
    await server.close();
  }
  return { raw, jsonBytes: { full: server.ready.averageBytes, stripped: server.ready.averageStrippedBytes } };
}

/** `--server kube`: a real etcd + kube-apiserver from tools/kube-apiserver's harness. */
async function runKube(options: BenchOptions): Promise<Runs> {
  const t0 = Date.now();
  log('starting etcd + kube-apiserver (tools/kube-apiserver) …');
  const kube = await KubeBackend.start(log);
  log(`kube-apiserver ready at ${kube.kube.server} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  const raw: ResultRecord[] = [];
  let jsonBytes = { full: 0, stripped: 0 };
  try {
    for (const name of options.scenarios) {
      const scenario = kubeScenarios[name];
      if (!scenario) throw new Error(`--server kube does not run ${name}`);
      log(`${name} (kube-apiserver) …`);
      raw.push(
        ...(await scenario({
          kube,
          sizes: options.sizes,
          subjects: options.subjects,
          protobuf: options.protobuf,
          log,
        })),
      );
      if (name === 'initial-sync' || jsonBytes.full === 0) jsonBytes = kube.jsonBytes;
    }
  } finally {
    await kube.close();
  }
  return { raw, jsonBytes };
}

async function main(options: BenchOptions): Promise<void> {
  const started = Date.now();
  // The operator scenarios run in this process: only the subjects' scenarios need them built.
  const subjects = options.scenarios.some((s) => !(KUBE_ONLY_SCENARIOS as readonly string[]).includes(s));
  if (subjects && options.subjects.includes('client-go')) {
    log('building the client-go subject (cached after the first build) …');
    buildClientGo();
  }
  if (subjects) await bundleNodeSubjects();
  const { raw, jsonBytes } =
    options.server === 'kube' ? await runKube(options) : await runReplay(options, started);
  const groups = new Map<string, ResultRecord[]>();
  for (const r of raw) {
    const key = `${r.scenario}\u0000${r.subject}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const results = derive([...groups.values()].map(aggregate), jsonBytes);
  const report: BenchReport = {
    mode: options.mode,
    node: process.version,
    cpu: `${cpus()[0]?.model ?? 'unknown'} ×${cpus().length}`,
    date: new Date().toISOString(),
    results,
  };
  const out = resolve(options.out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  const md = markdownTable(report);
  writeFileSync(out.replace(/\.json$/, '') + '.md', `${md}\n`);
  process.stdout.write(`${md}\n`);
  log(`\nwrote ${out} and its .md (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

let options: BenchOptions;
try {
  options = parseOptions(process.argv.slice(2));
} catch (e) {
  log((e as Error).message);
  process.exit(2);
}
main(options).catch((e: unknown) => {
  log(String((e as Error)?.stack ?? e));
  process.exit(1);
});
