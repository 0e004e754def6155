import { Pods } from '@rxinformer/core';
import { createKubeApiServer, type KubeApiServer } from '@rxinformer/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, writeKubeconfig } from '../../shared/test/kubeconfigs.js';
import { expectOneLineError, runCli, spawnCli } from '../../shared/test/spawn-cli.js';

const MAIN = 'apps/pod-health/src/main.ts';
const dir = tempDir();
let server: KubeApiServer;

beforeAll(async () => {
  server = await createKubeApiServer();
});
afterAll(async () => {
  await server.close();
});

const jsonLines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('pod-health command line', () => {
  it('explains every flag with --help', async () => {
    const result = await runCli(MAIN, ['--help']);
    expect(result.code).toBe(0);
    for (const flag of [
      '--kubeconfig',
      '--context',
      '--namespace',
      '--selector',
      '--restarts',
      '--not-ready',
      '--window',
      '--once',
      '--metrics-port',
      '--metrics-host',
      '--log-format',
      '--log-level',
      '--pods',
      '--churn',
    ]) {
      expect(result.stdout).toContain(flag);
    }
  });

  it("reports the simulator workload's unhealthy pods once, as JSON when not on a terminal, and exits 3", async () => {
    const result = await runCli(MAIN, ['--once', '--pods', '50', '--churn', '0']);
    expect(result.code).toBe(3);
    const report = jsonLines(result.stdout).find((l) => l['msg'] === '5 of 56 pods unhealthy (5 new)');
    expect(report).toMatchObject({ level: 40, pods: 56, unhealthy: 5 });
    expect((report!['problems'] as { pod: string }[]).map((p) => p.pod)).toEqual([
      'shop/cart-5c4b-image',
      'shop/checkout-7d9f-crash',
      'shop/ledger-0-stuck',
      'shop/report-2911-failed',
      'shop/search-66b8-flaky',
    ]);
  });

  it('exits 0 with --once when every pod is healthy', async () => {
    const kubeconfig = `${dir}/sim`;
    await server.writeKubeconfig(kubeconfig);
    server.create(Pods, {
      metadata: { name: 'ok', namespace: 'calm' },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    });
    const result = await runCli(MAIN, [
      '--kubeconfig',
      kubeconfig,
      '-n',
      'calm',
      '--once',
      '--log-format',
      'json',
    ]);
    expect(result.code).toBe(0);
    expect(jsonLines(result.stdout).at(-1)).toMatchObject({
      level: 30,
      msg: '0 of 1 pods unhealthy',
      unhealthy: 0,
    });
  });

  it('serves metrics and stops cleanly on SIGTERM', async () => {
    const cli = spawnCli(MAIN, ['--metrics-port', '0', '--pods', '20', '--window', '0.2']);
    const [, url] = await cli.waitFor(/metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/);
    await cli.waitFor(/pods unhealthy/);
    const metrics = await (await fetch(url!)).text();
    expect(metrics).toContain('pod_health_unhealthy_pods{reason="CrashLoopBackOff"} 1');
    expect(metrics).toMatch(/rxinformer_events_total\{resource="pods",type="ADDED"\} 26/);
    cli.child.kill('SIGTERM');
    expect((await cli.exited).code).toBe(0);
  });

  it('rejects bad flags with exit code 2', async () => {
    const unknown = await runCli(MAIN, ['--threshold', '3']);
    expect(unknown.code).toBe(2);
    expectOneLineError(unknown.stderr, /^error: unknown flag --threshold \(run with --help/);
    const format = await runCli(MAIN, ['--log-format', 'xml']);
    expect(format.code).toBe(2);
    expectOneLineError(format.stderr, /--log-format must be auto, pretty or json, got "xml"/);
  });

  it('says what is wrong with the kubeconfig, an unreachable cluster, or a forbidden resource', async () => {
    const noContext = await runCli(MAIN, [
      '--kubeconfig',
      writeKubeconfig(dir, 'none', { server: server.url, currentContext: '' }),
    ]);
    expect(noContext.code).toBe(1);
    expectOneLineError(noContext.stderr, /has no current context/);

    const unreachable = await runCli(MAIN, [
      '--kubeconfig',
      writeKubeconfig(dir, 'down', { server: 'https://127.0.0.1:1' }),
    ]);
    expect(unreachable.code).toBe(1);
    expectOneLineError(
      unreachable.stderr,
      /cannot reach the Kubernetes API server at https:\/\/127\.0\.0\.1:1/,
    );

    const kubeconfig = `${dir}/forbidden`;
    await server.writeKubeconfig(kubeconfig);
    const fault = server.faults.failNext(
      1000,
      { code: 403, reason: 'Forbidden', message: 'pods is forbidden' },
      { resource: Pods, namespace: 'shop' },
    );
    try {
      const forbidden = await runCli(MAIN, ['--kubeconfig', kubeconfig, '-n', 'shop']);
      expect(forbidden.code).toBe(1);
      expectOneLineError(
        forbidden.stderr,
        /forbidden: the kubeconfig's user may not (list|watch) pods in namespace "shop": grant it with RBAC \(check with "kubectl auth can-i (list|watch) pods -n shop"\)/,
      );
    } finally {
      fault.cancel();
    }
  });
});
