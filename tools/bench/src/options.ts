import { SUBJECTS, type SubjectName } from './subjects/protocol.js';

/** The scenarios of the replay server: `npm run bench` runs them all by default. */
export const REPLAY_SCENARIOS = [
  'initial-sync',
  'watch-throughput',
  'fanout',
  'latency',
  'relist',
  'memory-modes',
  'slow-subscriber',
  'adapters',
] as const;
export type ReplayScenarioName = (typeof REPLAY_SCENARIOS)[number];

/**
 * Scenarios only a real kube-apiserver can run (controllers writing through it): asking for
 * one selects `--server kube`. `read-your-writes` runs the sample operator with the
 * controller's read-your-writes off and on, then a leader failover to a warm and a cold standby.
 */
export const KUBE_ONLY_SCENARIOS = ['read-your-writes'] as const;

export const SCENARIOS = [...REPLAY_SCENARIOS, ...KUBE_ONLY_SCENARIOS] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** Sizes of one mode (quick or full). */
export interface Sizes {
  /** Repetitions of initial-sync and watch-throughput. */
  readonly reps: number;
  /** Repetitions of the other scenarios. */
  readonly fewReps: number;
  readonly initialObjects: number;
  readonly watchObjects: number;
  readonly watchEvents: number;
  readonly fanoutEvents: number;
  readonly fanoutSubscribers: readonly number[];
  readonly latencyRate: number;
  readonly latencySeconds: number;
  readonly relistObjects: number;
  readonly memoryObjects: number;
  readonly adapterEvents: number;
  readonly podBytes: number;
  /** read-your-writes: Websites the operator reconciles. */
  readonly websites: number;
  /** read-your-writes: spec changes per Website during the churn. */
  readonly changesPerWebsite: number;
}

// Quick fits in about five minutes on two shared cores: fewer repetitions where runs are long.
export const QUICK: Sizes = {
  reps: 2,
  fewReps: 1,
  initialObjects: 10_000,
  watchObjects: 10_000,
  watchEvents: 50_000,
  fanoutEvents: 5_000,
  fanoutSubscribers: [1, 10, 100],
  latencyRate: 5_000,
  latencySeconds: 5,
  relistObjects: 10_000,
  memoryObjects: 10_000,
  adapterEvents: 50_000,
  podBytes: 7_000,
  websites: 20,
  changesPerWebsite: 5,
};

export const FULL: Sizes = {
  reps: 3,
  fewReps: 3,
  initialObjects: 100_000,
  watchObjects: 10_000,
  watchEvents: 200_000,
  fanoutEvents: 100_000,
  fanoutSubscribers: [1, 10, 100],
  latencyRate: 5_000,
  latencySeconds: 60,
  relistObjects: 50_000,
  memoryObjects: 50_000,
  adapterEvents: 200_000,
  podBytes: 7_000,
  websites: 50,
  changesPerWebsite: 5,
};

/** What the subjects run against: the replay server (default) or a real kube-apiserver. */
export const BACKENDS = ['replay', 'kube'] as const;
export type Backend = (typeof BACKENDS)[number];

/** The scenarios `--server kube` runs by default: the subjects' ones whose objects and events fit a real etcd. */
export const KUBE_SCENARIOS: readonly ScenarioName[] = ['initial-sync', 'watch-throughput'];

/** Every scenario `--server kube` can run. */
export const KUBE_RUNNABLE: readonly ScenarioName[] = [...KUBE_SCENARIOS, ...KUBE_ONLY_SCENARIOS];

const kubeOnly = (s: ScenarioName) => (KUBE_ONLY_SCENARIOS as readonly string[]).includes(s);

/** `--server kube` sizes: pods are POSTed and events PATCHed through kube-apiserver and etcd. */
export const KUBE_QUICK: Partial<Sizes> = { initialObjects: 2_000, watchObjects: 1_000, watchEvents: 5_000 };
export const KUBE_FULL: Partial<Sizes> = { initialObjects: 10_000, watchObjects: 2_000, watchEvents: 20_000 };

export interface BenchOptions {
  readonly mode: 'quick' | 'full';
  readonly sizes: Sizes;
  readonly scenarios: readonly ScenarioName[];
  readonly subjects: readonly SubjectName[];
  readonly out: string;
  /** Also run client-go with protobuf where it applies (the kube backend: the replay server speaks JSON only). */
  readonly protobuf: boolean;
  readonly server: Backend;
}

export const USAGE = `npm run bench -- [--quick] [--server replay|kube] [--scenario NAME[,NAME]] [--subjects a,b] [--reps N] [--out FILE] [--objects N] [--events N]
  scenarios: ${SCENARIOS.join(', ')}
  subjects:  ${SUBJECTS.join(', ')}
  --server   replay (default): the bench's replay server; kube: a real etcd + kube-apiserver
             (tools/kube-apiserver), scenarios ${KUBE_RUNNABLE.join(', ')} (default ${KUBE_SCENARIOS.join(', ')}),
             plus client-go with protobuf
             ${KUBE_ONLY_SCENARIOS.join(', ')} runs on kube only: asking for it selects --server kube
             (the sample operator, readYourWrites off and on, then failover to a warm and a cold
             standby; --objects sets the Websites, default 50, quick 20)
  --out      JSON results (default bench/results/latest.json; the markdown goes next to it)
  --objects, --events  override the mode's sizes (smoke runs)`;

/** Parses the command line; throws a message with the usage on bad input. */
export function parseOptions(argv: readonly string[]): BenchOptions {
  let quick = false;
  let scenarios: ScenarioName[] | undefined;
  let server: Backend | undefined;
  let subjects: SubjectName[] = [...SUBJECTS];
  let out = 'bench/results/latest.json';
  let reps: number | undefined;
  let objects: number | undefined;
  let events: number | undefined;
  const positive = (v: string, flag: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer\n${USAGE}`);
    return n;
  };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value\n${USAGE}`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const take = () => inline ?? value(i++, flag);
    switch (flag) {
      case '--quick':
        quick = true;
        break;
      case '--scenario':
      case '--scenarios':
        scenarios = take()
          .split(',')
          .map((s) => {
            if (!(SCENARIOS as readonly string[]).includes(s))
              throw new Error(`unknown scenario ${s}\n${USAGE}`);
            return s as ScenarioName;
          });
        break;
      case '--server': {
        const v = take();
        if (!(BACKENDS as readonly string[]).includes(v)) throw new Error(`unknown server ${v}\n${USAGE}`);
        server = v as Backend;
        break;
      }
      case '--subjects':
        subjects = take()
          .split(',')
          .map((s) => {
            if (!(SUBJECTS as readonly string[]).includes(s))
              throw new Error(`unknown subject ${s}\n${USAGE}`);
            return s as SubjectName;
          });
        break;
      case '--out':
        out = take();
        break;
      case '--reps':
        reps = positive(take(), flag);
        break;
      case '--objects':
        objects = positive(take(), flag);
        break;
      case '--events':
        events = positive(take(), flag);
        break;
      case '--help':
      case '-h':
        throw new Error(USAGE);
      default:
        throw new Error(`unknown option ${arg}\n${USAGE}`);
    }
  }
  let sizes = quick ? QUICK : FULL;
  const needsKube = scenarios?.filter(kubeOnly) ?? [];
  if (needsKube.length && server === 'replay')
    throw new Error(`${needsKube.join(', ')} needs a real kube-apiserver: --server kube\n${USAGE}`);
  server ??= needsKube.length ? 'kube' : 'replay';
  if (server === 'kube') {
    const unfit = scenarios?.filter((s) => !KUBE_RUNNABLE.includes(s)) ?? [];
    if (unfit.length)
      throw new Error(
        `--server kube runs only ${KUBE_RUNNABLE.join(', ')}, not ${unfit.join(', ')}${needsKube.length ? ` (${needsKube.join(', ')} selects --server kube: run the others separately)` : ''}\n${USAGE}`,
      );
    sizes = { ...sizes, ...(quick ? KUBE_QUICK : KUBE_FULL) };
  }
  if (reps) sizes = { ...sizes, reps, fewReps: reps };
  if (objects)
    sizes = {
      ...sizes,
      initialObjects: objects,
      watchObjects: objects,
      relistObjects: objects,
      memoryObjects: objects,
      websites: objects,
    };
  if (events)
    sizes = {
      ...sizes,
      watchEvents: events,
      fanoutEvents: events,
      adapterEvents: events,
      latencySeconds: Math.max(1, Math.round(events / sizes.latencyRate)),
    };
  return {
    mode: quick ? 'quick' : 'full',
    sizes,
    scenarios: scenarios ?? [...(server === 'kube' ? KUBE_SCENARIOS : REPLAY_SCENARIOS)],
    subjects,
    out,
    protobuf: server === 'kube' && subjects.includes('client-go'),
    server,
  };
}
