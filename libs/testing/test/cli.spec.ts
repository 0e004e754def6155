import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));

function start(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const output = (pattern: RegExp): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (pattern.test(stdout)) {
          child.stdout.off('data', check);
          resolve(stdout);
        }
      };
      child.stdout.on('data', check);
      void exited.then((code) =>
        reject(new Error(`rxinformer-sim exited (${code}) before printing ${pattern}: ${stdout}${stderr}`)),
      );
      check();
    });
  return { child, exited, output, stderr: () => stderr };
}

describe('rxinformer-sim CLI', () => {
  it('prints help and exits 0', async () => {
    const sim = start(['--help']);
    expect(await sim.output(/Usage: rxinformer-sim/)).toMatch(/--kubeconfig-out/);
    expect(await sim.exited).toBe(0);
  });

  it('serves pods with churn, writes a working kubeconfig, prints how to use it, and stops on SIGTERM', async () => {
    const kubeconfig = `${await mkdtemp(`${tmpdir()}/rxsim-cli-`)}/config`;
    const sim = start([
      '--kubeconfig-out',
      kubeconfig,
      '--pods',
      '25',
      '--namespaces',
      '3',
      '--churn',
      '50',
      '--seed',
      '4',
    ]);
    const printed = await sim.output(/export KUBECONFIG=/);
    expect(printed).toContain(`export KUBECONFIG=${kubeconfig}`);
    expect(printed).toMatch(/created 25 pods/);
    const kc = new KubeConfig();
    kc.loadFromString(await readFile(kubeconfig, 'utf8'));
    const pods = await kc.makeApiClient(CoreV1Api).listPodForAllNamespaces();
    expect(pods.items.length).toBeGreaterThan(15);
    expect(new Set(pods.items.map((p) => p.metadata?.namespace))).toEqual(
      new Set(['sim-00', 'sim-01', 'sim-02']),
    );
    sim.child.kill('SIGTERM');
    expect(await sim.exited).toBe(0);
    expect(sim.stderr()).toBe('');
  });

  it('exits 1 with a message for a bad option value', async () => {
    const sim = start(['--pods', 'many']);
    expect(await sim.exited).toBe(1);
    expect(sim.stderr()).toMatch(/--pods must be a non-negative number/);
  });
});
