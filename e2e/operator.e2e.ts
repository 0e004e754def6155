import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { startKubeApiServer, type KubeApiServer } from '@rxinformer/kube-apiserver-harness';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { kubeJson } from '../libs/controller/test/support/kube-json.js';

// apps/operator-example on a real kube-apiserver + etcd: installs its CRD, reconciles a Website
// into an owned ConfigMap and Deployment, keeps status current, and releases its lease on SIGTERM.

const root = fileURLToPath(new URL('..', import.meta.url));
const eventually = (assertion: () => Promise<void>) =>
  vi.waitFor(assertion, { timeout: 60_000, interval: 100 });

let kube: KubeApiServer;
let kc: KubeConfig;
let child: ChildProcess | undefined;
beforeAll(async () => {
  kube = await startKubeApiServer();
  kc = new KubeConfig();
  kc.loadFromFile(kube.kubeconfigPath);
}, 180_000);
afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await kube?.stop();
});

type Obj = {
  metadata: {
    uid: string;
    generation?: number;
    ownerReferences?: { kind: string; uid: string; controller?: boolean }[];
  };
  spec?: { replicas?: number };
  data?: Record<string, string>;
  status?: Record<string, unknown>;
};

describe('operator-example on kube-apiserver', () => {
  it('reconciles a Website into a ConfigMap and a Deployment it owns, with status, and hands the lease back on SIGTERM', async () => {
    const ns = 'e2e-operator';
    await kubeJson(kc, 'POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns },
    });
    const lines: string[] = [];
    child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'apps/operator-example/src/main.ts',
        '--kubeconfig',
        kube.kubeconfigPath,
        '--namespace',
        ns,
        '--identity',
        'op-1',
      ],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
    await eventually(async () => expect(lines.some((l) => l.startsWith('leading:'))).toBe(true));

    const sites = `/apis/example.com/v1/namespaces/${ns}/websites`;
    const site = await kubeJson<Obj>(kc, 'POST', sites, {
      apiVersion: 'example.com/v1',
      kind: 'Website',
      metadata: { name: 'hello' },
      spec: { message: 'Hi', replicas: 2 },
    });
    await eventually(async () =>
      expect((await kubeJson<Obj>(kc, 'GET', `${sites}/hello`)).status).toEqual({
        observedGeneration: 1,
        ready: false,
      }),
    );
    const cm = await kubeJson<Obj>(kc, 'GET', `/api/v1/namespaces/${ns}/configmaps/hello-content`);
    expect(cm.data).toEqual({ 'index.html': 'Hi' });
    expect(cm.metadata.ownerReferences).toMatchObject([
      { kind: 'Website', uid: site.metadata.uid, controller: true },
    ]);
    const deployment = `/apis/apps/v1/namespaces/${ns}/deployments/hello`;
    const d = await kubeJson<Obj>(kc, 'GET', deployment);
    expect(d.spec?.replicas).toBe(2);
    expect(d.metadata.ownerReferences).toMatchObject([
      { kind: 'Website', uid: site.metadata.uid, controller: true },
    ]);

    // No controller-manager runs: report the rollout as the deployment controller would.
    await kubeJson(
      kc,
      'PATCH',
      `${deployment}/status`,
      { status: { replicas: 2, readyReplicas: 2 } },
      'application/merge-patch+json',
    );
    await eventually(async () =>
      expect((await kubeJson<Obj>(kc, 'GET', `${sites}/hello`)).status).toEqual({
        observedGeneration: 1,
        ready: true,
      }),
    );

    await kubeJson(
      kc,
      'PATCH',
      `${sites}/hello`,
      { spec: { message: 'Hello again', replicas: 3 } },
      'application/merge-patch+json',
    );
    await eventually(async () =>
      expect((await kubeJson<Obj>(kc, 'GET', `${sites}/hello`)).status).toEqual({
        observedGeneration: 2,
        ready: false,
      }),
    );
    expect(
      (await kubeJson<Obj>(kc, 'GET', `/api/v1/namespaces/${ns}/configmaps/hello-content`)).data,
    ).toEqual({ 'index.html': 'Hello again' });
    expect((await kubeJson<Obj>(kc, 'GET', deployment)).spec?.replicas).toBe(3);

    const exited = new Promise<number | null>((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const lease = await kubeJson<{ spec: { holderIdentity?: string; leaseDurationSeconds?: number } }>(
      kc,
      'GET',
      `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/website-operator`,
    );
    expect(lease.spec.holderIdentity ?? '').toBe('');
    expect(lease.spec.leaseDurationSeconds).toBe(1);
  });
});
