import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigMaps, Secrets } from '@rxinformer/core';
import { createKubeApiServer, type KubeApiServer } from '@rxinformer/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, writeKubeconfig } from '../../shared/test/kubeconfigs.js';
import { expectOneLineError, runCli, spawnCli } from '../../shared/test/spawn-cli.js';

const MAIN = 'apps/config-reloader/src/main.ts';
const dir = tempDir();
let server: KubeApiServer;
let kubeconfig: string;

beforeAll(async () => {
  server = await createKubeApiServer();
  kubeconfig = join(dir, 'sim');
  await server.writeKubeconfig(kubeconfig);
});
afterAll(async () => {
  await server.close();
});

describe('config-reloader command line', () => {
  it('explains every flag with --help', async () => {
    const result = await runCli(MAIN, ['--help']);
    expect(result.code).toBe(0);
    for (const flag of [
      '--kubeconfig',
      '--context',
      '--namespace',
      '--configmap',
      '--secret',
      '--dir',
      '--secret-dir',
      '--exec',
      '--pid',
      '--signal',
      '--debounce',
      '--require',
      '--log-format',
      '--log-level',
      '--sim-edit',
    ]) {
      expect(result.stdout).toContain(flag);
    }
  });

  it('hot-reloads the simulator ConfigMap into a directory and stops cleanly on SIGTERM', async () => {
    const out = join(dir, 'out');
    const cli = spawnCli(MAIN, [
      '--dir',
      out,
      '--secret',
      'app-secret',
      '--sim-edit',
      '1',
      '--debounce',
      '100',
    ]);
    await cli.waitFor(/reloaded config [0-9a-f]{12}: wrote 4 files/);
    expect(readFileSync(join(out, 'app.properties'), 'utf8')).toBe('greeting=hello\nworkers=4\n');
    expect(readFileSync(join(out, 'secret', 'db-password'), 'utf8')).toBe('correct horse battery staple');
    await cli.waitFor(/(reloaded config [\s\S]*){2}/); // an edit of the simulator's (every second) is reloaded too
    cli.child.kill('SIGTERM');
    const result = await cli.exited;
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('correct horse'); // secret values are never logged
  });

  it('with --require, exits 1 when the ConfigMap does not exist', async () => {
    const result = await runCli(MAIN, [
      '--kubeconfig',
      kubeconfig,
      '-n',
      'shop',
      '-c',
      'nope',
      '--require',
      '--dir',
      join(dir, 'never'),
    ]);
    expect(result.code).toBe(1);
    expectOneLineError(
      result.stderr,
      /^error: configmap "shop\/nope" not found: create it, check --namespace, or drop --require to wait for it$/,
    );
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it('exits 1 when the Secret is forbidden', async () => {
    server.create(ConfigMaps, { metadata: { name: 'web', namespace: 'shop' }, data: { a: 'b' } });
    const fault = server.faults.failNext(
      1000,
      { code: 403, reason: 'Forbidden', message: 'secrets "web" is forbidden' },
      { resource: Secrets },
    );
    try {
      const result = await runCli(MAIN, ['--kubeconfig', kubeconfig, '-n', 'shop', '-c', 'web', '-s', 'web']);
      expect(result.code).toBe(1);
      expectOneLineError(
        result.stderr,
        /^error: forbidden: the kubeconfig's user may not (list|watch) secrets in namespace "shop": grant it with RBAC/,
      );
    } finally {
      fault.cancel();
    }
  });

  it('rejects bad flags with exit code 2', async () => {
    const missing = await runCli(MAIN, ['--kubeconfig', kubeconfig]);
    expect(missing.code).toBe(2);
    expectOneLineError(
      missing.stderr,
      /^error: --configmap is required: name the ConfigMap to watch \(run with --help/,
    );
    const unknown = await runCli(MAIN, ['--config-map', 'web']);
    expect(unknown.code).toBe(2);
    expectOneLineError(
      unknown.stderr,
      /^error: unknown flag --config-map \(run with --help to see the flags\)$/,
    );
    const signal = await runCli(MAIN, ['--signal', 'HANGUP']);
    expect(signal.code).toBe(2);
    expectOneLineError(
      signal.stderr,
      /--signal must be a signal name such as SIGHUP or SIGUSR1, got "HANGUP"/,
    );
  });

  it('says what is wrong with the kubeconfig or an unreachable cluster', async () => {
    const noContext = await runCli(MAIN, [
      '--kubeconfig',
      writeKubeconfig(dir, 'none', { server: server.url, currentContext: '' }),
      '-c',
      'web',
    ]);
    expect(noContext.code).toBe(1);
    expectOneLineError(noContext.stderr, /has no current context/);
    const unreachable = await runCli(MAIN, ['-c', 'web'], {
      KUBECONFIG: writeKubeconfig(dir, 'down', { server: 'https://127.0.0.1:1' }),
    });
    expect(unreachable.code).toBe(1);
    expectOneLineError(
      unreachable.stderr,
      /cannot reach the Kubernetes API server at https:\/\/127\.0\.0\.1:1/,
    );
  });
});
