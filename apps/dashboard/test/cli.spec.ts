import { createServer, type AddressInfo } from 'node:net';
import { ConfigMaps } from '@rxinformer/core';
import { createKubeApiServer, type KubeApiServer } from '@rxinformer/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, writeKubeconfig } from '../../shared/test/kubeconfigs.js';
import { expectOneLineError, runCli, spawnCli } from '../../shared/test/spawn-cli.js';

const MAIN = 'apps/dashboard/src/main.ts';
const dir = tempDir();
let server: KubeApiServer;

beforeAll(async () => {
  server = await createKubeApiServer();
});
afterAll(async () => {
  await server.close();
});

describe('dashboard command line', () => {
  it('explains every flag with --help and exits 0', async () => {
    const result = await runCli(MAIN, ['--help']);
    expect(result.code).toBe(0);
    for (const flag of [
      '--kubeconfig',
      '--context',
      '--namespace',
      '--selector',
      '--host',
      '--port',
      '--window',
      '--pods',
      '--churn',
      '--help',
    ]) {
      expect(result.stdout).toContain(flag);
    }
  });

  it('rejects an unknown flag with exit code 2', async () => {
    const result = await runCli(MAIN, ['--colour', 'blue']);
    expect(result.code).toBe(2);
    expectOneLineError(result.stderr, /^error: unknown flag --colour \(run with --help/);
  });

  it('rejects a port that is not a number', async () => {
    const result = await runCli(MAIN, ['--port', 'http']);
    expect(result.code).toBe(2);
    expectOneLineError(result.stderr, /--port must be a whole number from 0 to 65535, got "http"/);
  });

  it('says so when the kubeconfig has no current context', async () => {
    const kubeconfig = writeKubeconfig(dir, 'no-context', { server: server.url, currentContext: '' });
    const result = await runCli(MAIN, ['--kubeconfig', kubeconfig]);
    expect(result.code).toBe(1);
    expectOneLineError(result.stderr, /has no current context \(available: ctx\): pass --context NAME/);
  });

  it('says so when the context does not exist', async () => {
    const kubeconfig = writeKubeconfig(dir, 'ctx', { server: server.url });
    const result = await runCli(MAIN, ['--kubeconfig', kubeconfig, '--context', 'prod']);
    expect(result.code).toBe(1);
    expectOneLineError(result.stderr, /context "prod" is not in kubeconfig .* \(available: ctx\)/);
  });

  it('says so when the cluster is unreachable', async () => {
    const kubeconfig = writeKubeconfig(dir, 'unreachable', { server: 'https://127.0.0.1:1' });
    const result = await runCli(MAIN, ['--kubeconfig', kubeconfig]);
    expect(result.code).toBe(1);
    expectOneLineError(
      result.stderr,
      /cannot reach the Kubernetes API server at https:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\): check that the cluster is running/,
    );
  });

  it('says so when a resource is forbidden, also through KUBECONFIG', async () => {
    const kubeconfig = `${dir}/sim`;
    await server.writeKubeconfig(kubeconfig);
    const forbidden = server.faults.failNext(
      1000,
      {
        code: 403,
        reason: 'Forbidden',
        message: 'configmaps is forbidden: User "dev" cannot list resource "configmaps"',
      },
      { resource: ConfigMaps },
    );
    try {
      const result = await runCli(MAIN, ['--port', '0'], { KUBECONFIG: kubeconfig });
      expect(result.code).toBe(1);
      expectOneLineError(
        result.stderr,
        /^error: forbidden: the kubeconfig's user may not (list|watch) configmaps: grant it with RBAC \(check with "kubectl auth can-i (list|watch) configmaps -A"\)/,
      );
    } finally {
      forbidden.cancel();
    }
  });

  it('says so when the port is in use', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as AddressInfo;
    try {
      const result = await runCli(MAIN, ['--port', String(port), '--pods', '0', '--churn', '0']);
      expect(result.code).toBe(1);
      expectOneLineError(
        result.stderr,
        new RegExp(
          `^error: 127\\.0\\.0\\.1:${port} is already in use: choose another port \\(0 picks a free one\\)$`,
        ),
      );
    } finally {
      busy.close();
    }
  });

  it('serves the page and /metrics on the simulator, and stops cleanly on SIGINT and SIGTERM', async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const cli = spawnCli(MAIN, ['--port', '0', '--pods', '20', '--churn', '10']);
      const [, url] = await cli.waitFor(/serving (http:\/\/127\.0\.0\.1:\d+\/)/);
      const page = await fetch(url!);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>rxinformer dashboard</title>');
      const metrics = await (await fetch(`${url}metrics`)).text();
      expect(metrics).toMatch(/rxinformer_store_objects\{resource="pods"\} 20/);
      cli.child.kill(signal);
      const result = await cli.exited;
      expect(result.code).toBe(0);
      expect(result.stderr).toContain('dashboard: stopping');
    }
  });
});
