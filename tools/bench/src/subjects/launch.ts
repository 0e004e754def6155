import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { SubjectResult, SubjectRun } from './protocol.js';

const RUN_SUBJECT = fileURLToPath(new URL('./run-subject.ts', import.meta.url));
const BUNDLE = fileURLToPath(new URL('../../dist/run-subject.mjs', import.meta.url));
const TSCONFIG = fileURLToPath(new URL('../../../../tsconfig.json', import.meta.url));
const CLIENT_GO_BUILD = fileURLToPath(new URL('../../client-go/build.sh', import.meta.url));

let clientGoBinary: string | undefined;

/** Builds (or finds in the cache) the client-go subject; throws with the reason if Go is missing. */
export function buildClientGo(): string {
  clientGoBinary ??= execFileSync('bash', [CLIENT_GO_BUILD], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .trim()
    .split('\n')
    .at(-1)!;
  return clientGoBinary;
}

let bundled = false;

/** `BENCH_CPU_PROF=DIR` profiles every Node subject (`node --cpu-prof`) into DIR. */
function profileArgs(): string[] {
  const dir = process.env['BENCH_CPU_PROF'];
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

/**
 * Bundles the Node subjects into one file (the workspace's sources, client-node, rxjs), so a
 * subject process starts in half a second instead of the several seconds a TypeScript loader
 * takes to load client-node's thousand modules — time that is not the subject's.
 */
export async function bundleNodeSubjects(): Promise<void> {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [RUN_SUBJECT],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: BUNDLE,
    tsconfig: TSCONFIG,
    // Some bundled CommonJS code calls require() for Node's builtins.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  bundled = true;
}

/** A subject process: `synced` resolves when its cache is synced, `result` when it is done. */
export interface SubjectProcess {
  readonly synced: Promise<void>;
  readonly result: Promise<SubjectResult>;
  /** Tells a relist run to finish. */
  stop(): void;
}

/** Starts one subject run in a child process of its own. */
export function launch(run: SubjectRun, options: { protobuf?: boolean } = {}): SubjectProcess {
  const child =
    run.subject === 'client-go'
      ? spawn(
          buildClientGo(),
          [
            `-kubeconfig=${run.kubeconfig}`,
            `-scenario=${run.scenario}`,
            `-objects=${run.objects}`,
            `-events=${run.events}`,
            `-subscribers=${run.subscribers ?? 1}`,
            ...(options.protobuf ? ['-protobuf'] : []),
          ],
          { stdio: ['pipe', 'pipe', 'pipe'] },
        )
      : spawn(
          process.execPath,
          [
            '--expose-gc',
            '--max-old-space-size=8192',
            ...profileArgs(),
            ...(bundled ? [BUNDLE] : ['--import', 'tsx', RUN_SUBJECT]),
            JSON.stringify(run),
          ],
          {
            stdio: ['pipe', 'pipe', 'pipe'],
          },
        );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  let onSynced!: () => void;
  const synced = new Promise<void>((resolve) => (onSynced = resolve));
  const result = new Promise<SubjectResult>((resolve) => {
    let got: SubjectResult | undefined;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let message: { event?: string; result?: SubjectResult };
      try {
        message = JSON.parse(line) as typeof message;
      } catch {
        return;
      }
      if (message.event === 'synced') onSynced();
      if (message.result) got = message.result;
    });
    child.on('close', (code) => {
      onSynced();
      resolve(
        got ?? {
          objects: 0,
          sync_seconds: 0,
          error: `exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
        },
      );
    });
  });
  return {
    synced,
    result,
    stop: () => {
      child.stdin!.write('stop\n');
    },
  };
}
