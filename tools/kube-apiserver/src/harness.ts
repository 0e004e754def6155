/**
 * Test harness: a real etcd + kube-apiserver on loopback for vitest integration tests.
 *
 *   const kube = await startKubeApiServer();
 *   try { ... kube.kubeconfigPath ... } finally { await kube.stop(); }
 *
 * Binaries come from `tools/kube-apiserver/build.sh` (cached by version under
 * ${RXINFORMER_CACHE:-$HOME/.cache/rxinformer}/kube/...). This module never builds them: if they
 * are missing it throws an Error naming them and the command that builds them.
 *
 * Processes are run by `start.sh` (the single place that knows the flags); this module talks to
 * it through its stdout protocol and signals (SIGHUP = restart kube-apiserver, SIGTERM = stop).
 *
 * Only node builtins are used.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TOOL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUILD_SH = path.join(TOOL_DIR, 'build.sh');
const START_SH = path.join(TOOL_DIR, 'start.sh');
const RBAC_YAML = path.join(TOOL_DIR, 'rbac-limited.yaml');

export interface StartKubeApiServerOptions {
  /** Extra kube-apiserver flags, e.g. ['--watch-cache-sizes=configmaps#0']. */
  apiServerArgs?: string[];
  /** Directory with kube-apiserver, etcd and kubectl; default: build.sh's cache dir. */
  binDir?: string;
  /** Where start.sh puts kubeconfigs, certs, logs and etcd data; default: a fresh temp dir. */
  kubeDir?: string;
  /** Keep the kube dir (logs, etcd data) after stop(); default false (also env RXINFORMER_KUBE_KEEP=1). */
  keepDir?: boolean;
  /** Apply rbac-limited.yaml (user `limited` may list configmaps only); default true. */
  rbac?: boolean;
  /** Timeout for startup and for each restart; default 180 s. */
  timeoutMs?: number;
  /** Receives start.sh's stderr lines (progress, errors); default: kept for error messages only. */
  log?: (line: string) => void;
}

export interface KubectlOptions {
  /** Text piped to kubectl's stdin (e.g. a manifest for `apply -f -`). */
  stdin?: string;
  /** 'admin' (default), 'limited', or a kubeconfig path. */
  as?: 'admin' | 'limited' | (string & {});
  /** Default 60 s. */
  timeoutMs?: number;
  /** Resolve instead of reject on a non-zero exit. */
  allowFailure?: boolean;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubeApiServer {
  /** Admin kubeconfig (token user `admin`, group system:masters). */
  kubeconfigPath: string;
  /** Kubeconfig of token user `limited`: may list configmaps; no watch, no get, no secrets. */
  limitedKubeconfigPath: string;
  /** https://127.0.0.1:<port> */
  server: string;
  adminToken: string;
  limitedToken: string;
  /** PEM the kubeconfigs trust (kube-apiserver's self-signed serving cert followed by its CA). */
  caPem: string;
  caFile: string;
  /** http://127.0.0.1:<port> of etcd (plain HTTP, v3 JSON gateway at /v3/...). */
  etcdUrl: string;
  kubeDir: string;
  binDir: string;
  /** Stop kube-apiserver and start it again on the same port with the same etcd; waits for /readyz. */
  restartApiServer(): Promise<void>;
  /**
   * Compact etcd (physically) to its current revision; resolves to that revision.
   * kube-apiserver's watch cache keeps serving watches from resourceVersions it still holds in
   * memory, so a watch from an old RV gets 410 Expired only if the resource bypasses the cache
   * (apiServerArgs: ['--watch-cache-sizes=configmaps#0']) or after restartApiServer() (a restarted
   * cache starts at the current revision: every older RV is then 410, compacted or not).
   */
  compactEtcd(): Promise<number>;
  /** Current etcd revision (what a fresh list's resourceVersion would be at most). */
  etcdRevision(): Promise<number>;
  /** Run the built kubectl against this server. Rejects on non-zero exit unless allowFailure. */
  kubectl(args: string[], opts?: KubectlOptions): Promise<KubectlResult>;
  /** `kubectl apply -f -` with the given YAML/JSON, as admin unless `as` says otherwise. */
  apply(manifest: string, opts?: Omit<KubectlOptions, 'stdin'>): Promise<void>;
  /** Stop kube-apiserver and etcd and remove the kube dir (unless kept). Idempotent. */
  stop(): Promise<void>;
}

interface EnvJson {
  kubeDir: string;
  binDir: string;
  server: string;
  apiServerPort: number;
  caFile: string;
  kubeconfigPath: string;
  limitedKubeconfigPath: string;
  adminToken: string;
  limitedToken: string;
  etcdUrl: string;
  etcdPid: number;
  apiServerPid: number;
  supervisorPid: number;
}

const REQUIRED_BINARIES = ['kube-apiserver', 'etcd', 'kubectl'] as const;

function runProcess(
  cmd: string,
  args: string[],
  opts: { stdin?: string | undefined; timeoutMs: number; env?: NodeJS.ProcessEnv | undefined },
): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')}: timed out after ${opts.timeoutMs} ms\n${stderr}`));
    }, opts.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin.on('error', () => {
      /* the process may exit before reading stdin */
    });
    child.stdin.end(opts.stdin ?? '');
  });
}

/**
 * Returns the directory holding kube-apiserver, etcd and kubectl (as built by build.sh), or
 * throws an Error naming the missing binaries and the command that builds them.
 */
export async function findKubeBinaries(binDir?: string): Promise<string> {
  const buildCmd = `bash ${path.relative(process.cwd(), BUILD_SH) || BUILD_SH}`;
  if (binDir) {
    const missing: string[] = [];
    for (const b of REQUIRED_BINARIES) {
      try {
        await access(path.join(binDir, b), fsConstants.X_OK);
      } catch {
        missing.push(path.join(binDir, b));
      }
    }
    if (missing.length) {
      throw new Error(`kube-apiserver harness: missing ${missing.join(', ')}. Build them with: ${buildCmd}`);
    }
    return binDir;
  }
  const r = await runProcess('bash', [BUILD_SH, '--check'], { timeoutMs: 30_000 });
  const dir = r.stdout.trim().split('\n').pop() ?? '';
  if (r.code !== 0 || !dir) {
    const missing = REQUIRED_BINARIES.map((b) => path.join(dir || '<cache>/bin', b));
    throw new Error(
      `kube-apiserver harness: test binaries are not built (need ${missing.join(', ')}).\n` +
        `Build them once (5-10 min cold on 2 cores, cached by version afterwards) with:\n  ${buildCmd}\n` +
        (r.stderr.trim() ? `build.sh --check said:\n${r.stderr.trim()}` : ''),
    );
  }
  return dir;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

function killQuietly(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
}

async function etcdPost(etcdUrl: string, endpoint: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${etcdUrl}${endpoint}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(`etcd ${endpoint}: HTTP ${res.status}: ${text}`);
  }
  if (!res.ok || json.error || json.message) {
    const err = new Error(`etcd ${endpoint}: HTTP ${res.status}: ${text}`);
    (err as Error & { etcd?: unknown }).etcd = json;
    throw err;
  }
  return json;
}

/** Starts etcd + kube-apiserver via start.sh and resolves once they are ready (and RBAC applied). */
export async function startKubeApiServer(opts: StartKubeApiServerOptions = {}): Promise<KubeApiServer> {
  const timeoutMs = opts.timeoutMs ?? 180_000;
  const binDir = await findKubeBinaries(opts.binDir);

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    RXINFORMER_KUBE_BIN: binDir,
    RXINFORMER_KUBE_NO_RBAC: '1',
    RXINFORMER_KUBE_PARENT_PID: String(process.pid),
    RXINFORMER_KUBE_TIMEOUT: String(Math.ceil(timeoutMs / 1000)),
    RXINFORMER_KUBE_APISERVER_ARGS: (opts.apiServerArgs ?? []).join(' '),
  };
  if (opts.kubeDir) env.RXINFORMER_KUBE_DIR = opts.kubeDir;
  else delete env.RXINFORMER_KUBE_DIR;
  if (opts.keepDir) env.RXINFORMER_KUBE_KEEP = '1';

  const child = spawn('bash', [START_SH], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stderrTail: string[] = [];
  const lineWaiters: Array<(line: string | null) => void> = [];
  const stdoutLines: string[] = [];

  const onLines = (stream: NodeJS.ReadableStream, each: (line: string) => void) => {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        each(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    });
  };
  onLines(child.stderr, (line) => {
    stderrTail.push(line);
    if (stderrTail.length > 120) stderrTail.shift();
    opts.log?.(line);
  });
  onLines(child.stdout, (line) => {
    const w = lineWaiters.shift();
    if (w) w(line);
    else stdoutLines.push(line);
  });
  let exited = false;
  child.on('exit', () => {
    exited = true;
    while (lineWaiters.length) lineWaiters.shift()!(null);
  });
  // Safety net: if this process exits without calling stop(), do not leave servers behind
  // (start.sh also stops by itself when this PID disappears).
  const onProcessExit = () => child.kill('SIGTERM');
  process.once('exit', onProcessExit);

  const describeFailure = (what: string) =>
    new Error(
      `kube-apiserver harness: ${what}\n--- start.sh stderr (tail) ---\n${stderrTail.slice(-60).join('\n')}`,
    );

  /** Next stdout line, or null if start.sh exited; rejects on timeout. */
  const nextLine = (ms: number): Promise<string | null> => {
    const queued = stdoutLines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (exited) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      const waiter = (line: string | null) => {
        clearTimeout(timer);
        resolve(line);
      };
      const timer = setTimeout(() => {
        const i = lineWaiters.indexOf(waiter);
        if (i >= 0) lineWaiters.splice(i, 1);
        reject(describeFailure(`timed out after ${ms} ms waiting for start.sh`));
      }, ms);
      lineWaiters.push(waiter);
    });
  };

  let envJson: EnvJson | undefined;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.off('exit', onProcessExit);
    if (exited) return;
    child.kill('SIGTERM');
    if (await waitForExit(child, 40_000)) return;
    // start.sh is stuck: kill what it started directly.
    if (envJson) {
      killQuietly(envJson.apiServerPid, 'SIGKILL');
      killQuietly(envJson.etcdPid, 'SIGKILL');
    }
    child.kill('SIGKILL');
    await waitForExit(child, 5_000);
  };

  try {
    const deadline = Date.now() + timeoutMs + 30_000;
    for (;;) {
      const line = await nextLine(Math.max(1, deadline - Date.now()));
      if (line === null)
        throw describeFailure(`start.sh exited (code ${child.exitCode}) before it was ready`);
      if (line.startsWith('READY ')) {
        envJson = JSON.parse(await readFile(line.slice('READY '.length), 'utf8')) as EnvJson;
        break;
      }
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const e = envJson;
  const caPem = await readFile(e.caFile, 'utf8');

  const kubeconfigFor = (as: KubectlOptions['as']) =>
    as === undefined || as === 'admin' ? e.kubeconfigPath : as === 'limited' ? e.limitedKubeconfigPath : as;

  const kubectl = async (args: string[], o: KubectlOptions = {}): Promise<KubectlResult> => {
    const r = await runProcess(path.join(binDir, 'kubectl'), ['--kubeconfig', kubeconfigFor(o.as), ...args], {
      stdin: o.stdin,
      timeoutMs: o.timeoutMs ?? 60_000,
    });
    if (r.code !== 0 && !o.allowFailure) {
      throw new Error(`kubectl ${args.join(' ')} failed (exit ${r.code}):\n${r.stderr}${r.stdout}`);
    }
    return r;
  };

  const apply = async (manifest: string, o: Omit<KubectlOptions, 'stdin'> = {}) => {
    await kubectl(['apply', '-f', '-'], { ...o, stdin: manifest });
  };

  let restarting: Promise<void> | undefined;
  const restartApiServer = (): Promise<void> => {
    if (stopped || exited)
      return Promise.reject(describeFailure('restartApiServer(): server is not running'));
    if (restarting) return restarting;
    restarting = (async () => {
      try {
        child.kill('SIGHUP');
        const line = await nextLine(timeoutMs + 30_000);
        if (line !== 'RESTARTED') {
          throw describeFailure(`restart of kube-apiserver failed (start.sh said ${JSON.stringify(line)})`);
        }
        envJson = JSON.parse(await readFile(path.join(e.kubeDir, 'env.json'), 'utf8')) as EnvJson;
      } finally {
        restarting = undefined;
      }
    })();
    return restarting;
  };

  const etcdRevision = async (): Promise<number> => {
    // Any key works: the response header carries the store's current revision.
    const res = await etcdPost(e.etcdUrl, '/v3/kv/range', {
      key: Buffer.from('/rxinformer-harness/revision-probe').toString('base64'),
      count_only: true,
    });
    const rev = Number((res.header as { revision?: string } | undefined)?.revision);
    if (!Number.isSafeInteger(rev) || rev <= 0)
      throw new Error(`etcd range: no header.revision in ${JSON.stringify(res)}`);
    return rev;
  };

  const compactEtcd = async (): Promise<number> => {
    const revision = await etcdRevision();
    // Record the compaction where kube-apiserver's own compactor would (key `compact_rev_key`,
    // value = compacted revision): kube-apiserver watches that key and then drops its list
    // snapshots older than it, exactly as after one of its periodic compactions (which start.sh
    // disables with --etcd-compaction-interval=0).
    await etcdPost(e.etcdUrl, '/v3/kv/put', {
      key: Buffer.from('compact_rev_key').toString('base64'),
      value: Buffer.from(String(revision)).toString('base64'),
    });
    try {
      await etcdPost(e.etcdUrl, '/v3/kv/compaction', { revision: String(revision), physical: true });
    } catch (err) {
      // Compacting twice to the same revision is fine for our purposes.
      if (!/required revision has been compacted/.test(String((err as Error).message))) throw err;
    }
    return revision;
  };

  try {
    if (opts.rbac !== false) await apply(await readFile(RBAC_YAML, 'utf8'));
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    kubeconfigPath: e.kubeconfigPath,
    limitedKubeconfigPath: e.limitedKubeconfigPath,
    server: e.server,
    adminToken: e.adminToken,
    limitedToken: e.limitedToken,
    caPem,
    caFile: e.caFile,
    etcdUrl: e.etcdUrl,
    kubeDir: e.kubeDir,
    binDir,
    restartApiServer,
    compactEtcd,
    etcdRevision,
    kubectl,
    apply,
    stop,
  };
}
