import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startKubeApiServer, type KubeApiServer } from '@rxinformer/kube-apiserver-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// apps/pod-health against a real kube-apiserver + etcd: a pod put into CrashLoopBackOff through
// the status subresource is reported; a user without access to pods gets a one-line 403 message.
const root = fileURLToPath(new URL('..', import.meta.url));
let kube: KubeApiServer;
let core: CoreV1Api;

beforeAll(async () => {
  kube = await startKubeApiServer();
  const kc = new KubeConfig();
  kc.loadFromFile(kube.kubeconfigPath);
  core = kc.makeApiClient(CoreV1Api);
}, 180_000);
afterAll(async () => {
  await kube?.stop();
});

function podHealth(
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env['KUBECONFIG'];
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/pod-health/src/main.ts', ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('pod-health against kube-apiserver', () => {
  it('reports a pod whose status says CrashLoopBackOff', async () => {
    const namespace = `pod-health-${Date.now().toString(36)}`;
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    for (const name of ['web-ok', 'web-crash']) {
      await core.createNamespacedPod({
        namespace,
        body: {
          metadata: { name, labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'nginx:1.27.2' }] },
        },
      });
    }
    const running = {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date() }],
    };
    const okPod = await core.readNamespacedPod({ name: 'web-ok', namespace });
    await core.replaceNamespacedPodStatus({
      name: 'web-ok',
      namespace,
      body: {
        ...okPod,
        status: {
          ...running,
          containerStatuses: [
            {
              name: 'web',
              image: 'nginx:1.27.2',
              imageID: '',
              ready: true,
              restartCount: 0,
              state: { running: { startedAt: new Date() } },
            },
          ],
        },
      },
    });
    const crashPod = await core.readNamespacedPod({ name: 'web-crash', namespace });
    await core.replaceNamespacedPodStatus({
      name: 'web-crash',
      namespace,
      body: {
        ...crashPod,
        status: {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: new Date() }],
          containerStatuses: [
            {
              name: 'web',
              image: 'nginx:1.27.2',
              imageID: '',
              ready: false,
              restartCount: 4,
              state: {
                waiting: {
                  reason: 'CrashLoopBackOff',
                  message: 'back-off 1m20s restarting failed container=web pod=web-crash',
                },
              },
              lastState: {
                terminated: { exitCode: 1, reason: 'Error', startedAt: new Date(), finishedAt: new Date() },
              },
            },
          ],
        },
      },
    });

    const result = await podHealth([
      '--kubeconfig',
      kube.kubeconfigPath,
      '--namespace',
      namespace,
      '--selector',
      'app=web',
      '--once',
      '--log-format',
      'json',
    ]);
    expect(result.code, result.stderr).toBe(3);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const report = lines.find(
      (l) => typeof l['msg'] === 'string' && (l['msg'] as string).includes('pods unhealthy'),
    );
    expect(report).toMatchObject({
      msg: '1 of 2 pods unhealthy (1 new)',
      newlyUnhealthy: [`${namespace}/web-crash`],
      problems: [
        {
          pod: `${namespace}/web-crash`,
          problems: [
            {
              reason: 'CrashLoopBackOff',
              container: 'web',
              detail: 'back-off 1m20s restarting failed container=web pod=web-crash',
            },
          ],
        },
      ],
    });
  });

  it('says in one line that a user may not list pods', async () => {
    const result = await podHealth(['--kubeconfig', kube.limitedKubeconfigPath, '--once']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(
      /^error: forbidden: the kubeconfig's user may not (list|watch) pods: grant it with RBAC \(check with "kubectl auth can-i (list|watch) pods -A"\) or use another --context$/,
    );
  });
});
