import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'operator-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function run(args: string[], until?: (line: string) => boolean) {
  const env = { ...process.env };
  delete env['KUBECONFIG'];
  const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    stdout.push(line);
    if (until?.(line)) child.kill('SIGTERM');
  });
  return new Promise<{ code: number | null; stdout: string[]; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
}

describe('operator-example command line', () => {
  it('prints help and exits 0', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    const text = stdout.join('\n');
    for (const flag of ['--kubeconfig', '--context', '--namespace', '--identity', '--help'])
      expect(text).toContain(flag);
  });

  it('rejects an unknown flag with one line and exit code 2', async () => {
    const { code, stderr } = await run(['--replicas', '3']);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^error: .*replicas/);
  });

  it('reports a missing kubeconfig and an unreachable cluster in one line, exit code 1', async () => {
    const missing = await run(['--kubeconfig', join(dir, 'nope.yaml')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('does not exist');

    const path = join(dir, 'unreachable.kubeconfig');
    await writeFile(
      path,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        'current-context': 'x',
        clusters: [{ name: 'x', cluster: { server: 'https://127.0.0.1:1' } }],
        users: [{ name: 'x', user: { token: 't' } }],
        contexts: [{ name: 'x', context: { cluster: 'x', user: 'x' } }],
      }),
    );
    const unreachable = await run(['--kubeconfig', path]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr.trim().split('\n')).toHaveLength(1);
    expect(unreachable.stderr).toMatch(/^error: cannot reach the Kubernetes API server/);
  });

  it('runs on the embedded simulator: the sample Website becomes ready, and SIGTERM releases the lease', async () => {
    const { code, stdout } = await run([], (line) => line.includes('ready=true'));
    expect(code).toBe(0);
    expect(stdout.some((l) => l.startsWith('leading:'))).toBe(true);
    expect(stdout).toContain(
      'website default/hello: configmap created, deployment created, status ready=false observedGeneration=1',
    );
    expect(stdout.at(-1)).toBe('stopped: lease released');
  });
});
