import { spawn } from 'node:child_process';
import type { ConfigState } from './config-state.js';
import { FileWriter } from './file-writer.js';

/**
 * What to do with a new configuration: write it to directories, run a command, signal a process.
 *
 * @example
 * ```ts
 * const actions: ReloadActions = { dir: '/etc/app', exec: 'nginx -s reload', pid: 4242, signal: 'SIGHUP' };
 * ```
 */
export interface ReloadActions {
  /** Where the ConfigMap's files go. */
  readonly dir?: string | undefined;
  /** Where the Secret's files go (default `<dir>/secret`). */
  readonly secretDir?: string | undefined;
  /** A shell command run after the files are written, with `CONFIG_VERSION` and `CONFIG_DIR` set. */
  readonly exec?: string | undefined;
  /** A process to signal after the files are written (and the command has run). */
  readonly pid?: number | undefined;
  readonly signal?: NodeJS.Signals;
  /** The longest a command may run (ms, default 60 s) before it is killed. */
  readonly execTimeoutMs?: number;
}

/**
 * What one reload did. `ok` is false when a step failed; `error` says which and why.
 *
 * @example
 * ```ts
 * const result = await reloader({ dir: '/etc/app' })(configState({ data: { a: '1' } }, undefined));
 * if (!result.ok) logger.error({ version: result.version }, result.error ?? 'failed');
 * ```
 */
export interface ReloadResult {
  readonly version: string;
  readonly ok: boolean;
  readonly files: { readonly written: readonly string[]; readonly removed: readonly string[] };
  readonly exec?: { readonly code: number | null; readonly signal: string | null; readonly output: string };
  readonly signaled?: number;
  readonly error?: string;
}

/**
 * Makes a reload function for a set of actions: it writes the files, runs the command, then
 * signals the process, stopping at the first step that fails.
 *
 * @example
 * ```ts
 * const reload = reloader({ dir: '/etc/app', exec: 'kill -HUP $(cat /run/app.pid)' });
 * const result = await reload(configState({ data: { 'app.properties': 'workers=4\n' } }, undefined));
 * ```
 */
export function reloader(actions: ReloadActions): (state: ConfigState) => Promise<ReloadResult> {
  const configWriter = actions.dir ? new FileWriter(actions.dir) : undefined;
  const secretDir = actions.secretDir ?? (actions.dir ? `${actions.dir}/secret` : undefined);
  const secretWriter = secretDir ? new FileWriter(secretDir) : undefined;
  return async (state) => {
    const files = { written: [] as string[], removed: [] as string[] };
    const result = (extra: Partial<ReloadResult>): ReloadResult => ({
      version: state.version,
      ok: extra.error === undefined,
      files,
      ...extra,
    });
    try {
      for (const [writer, data, prefix] of [
        [configWriter, state.configMap, ''],
        [secretWriter, state.secret, 'secret/'],
      ] as const) {
        if (!writer || !data) continue;
        const done = await writer.write(data);
        files.written.push(...done.written.map((n) => prefix + n));
        files.removed.push(...done.removed.map((n) => prefix + n));
      }
    } catch (error) {
      return result({
        error: `writing the files failed: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
    let exec: ReloadResult['exec'];
    if (actions.exec) {
      exec = await run(
        actions.exec,
        { CONFIG_VERSION: state.version, CONFIG_DIR: actions.dir ?? '' },
        actions.execTimeoutMs ?? 60_000,
      );
      if (exec.code !== 0)
        return result({
          exec,
          error: `"${actions.exec}" ${exec.code === null ? `was killed by ${exec.signal}` : `exited with ${exec.code}`}${exec.output ? `: ${exec.output}` : ''}`,
        });
    }
    if (actions.pid !== undefined) {
      const signal = actions.signal ?? 'SIGHUP';
      try {
        process.kill(actions.pid, signal);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        return result({
          ...(exec ? { exec } : {}),
          error: `cannot send ${signal} to process ${actions.pid}: ${code === 'ESRCH' ? 'no such process' : code === 'EPERM' ? 'permission denied' : String(error)}`,
        });
      }
      return result({ ...(exec ? { exec } : {}), signaled: actions.pid });
    }
    return result(exec ? { exec } : {});
  };
}

/** Runs a shell command; resolves with its exit and the last 500 characters of its output. */
function run(
  command: string,
  env: Record<string, string>,
  timeoutMs: number,
): Promise<NonNullable<ReloadResult['exec']>> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-500);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => resolve({ code: null, signal: null, output: error.message }));
    child.on('close', (code, signal) => resolve({ code, signal, output: output.trim() }));
  });
}
