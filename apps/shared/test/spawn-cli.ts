import { expect } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** What a finished CLI run printed, and how it ended. */
export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running CLI: its process, its output so far, and a promise of its end. */
export interface RunningCli {
  readonly child: ChildProcess;
  readonly output: { stdout: string; stderr: string };
  /** Resolves with the first stdout match of `pattern`. */
  waitFor(pattern: RegExp, stream?: 'stdout' | 'stderr'): Promise<RegExpMatchArray>;
  readonly exited: Promise<CliResult>;
}

/**
 * Spawns `node --import tsx <script> ...args` from the repository root, with `KUBECONFIG`
 * removed from the environment unless `env` sets it (so an app runs on its simulator).
 */
export function spawnCli(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): RunningCli {
  const base = { ...process.env };
  delete base['KUBECONFIG'];
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: repoRoot,
    env: { ...base, FORCE_COLOR: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  const listeners = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    output.stdout += chunk;
    listeners.forEach((l) => l());
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    output.stderr += chunk;
    listeners.forEach((l) => l());
  });
  const exited = new Promise<CliResult>((resolve) =>
    child.on('close', (code, signal) => {
      listeners.forEach((l) => l());
      resolve({ code, signal, ...output });
    }),
  );
  let done = false;
  void exited.then(() => (done = true));
  return {
    child,
    output,
    exited,
    waitFor(pattern, stream = 'stdout') {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const match = output[stream].match(pattern);
          if (match) {
            listeners.delete(check);
            resolve(match);
          } else if (done || child.exitCode !== null) {
            listeners.delete(check);
            reject(
              new Error(
                `exited (${child.exitCode}) before printing ${pattern}:\n${output.stdout}\n${output.stderr}`,
              ),
            );
          }
        };
        listeners.add(check);
        check();
      });
    },
  };
}

/** Runs a CLI to its end. */
export function runCli(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<CliResult> {
  return spawnCli(script, args, env).exited;
}

/** Asserts what every app promises for bad input: one `error:` line on stderr, no stack trace. */
export function expectOneLineError(stderr: string, pattern: RegExp): void {
  const lines = stderr
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('error:'));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /);
}
