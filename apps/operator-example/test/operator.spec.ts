import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigMaps, Deployments, Leases } from '@rxinformer/core';
import { createKubeApiServer, type KubeApiServer } from '@rxinformer/testing';
import { installWebsiteCrd } from '../src/install-crd.js';
import { startOperator, type Operator } from '../src/operator.js';
import { Websites, type Website } from '../src/website.js';

const eventually = (assertion: () => void) => vi.waitFor(assertion, { timeout: 20_000, interval: 25 });
const timings = { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 300 };

let server: KubeApiServer;
const operators: Operator[] = [];
beforeAll(async () => {
  server = await createKubeApiServer();
  await installWebsiteCrd(server.kubeConfig);
});
afterAll(async () => {
  await Promise.all(operators.map((o) => o.stop()));
  await server.close();
});

type Owned = { metadata?: { ownerReferences?: { kind: string; uid: string; controller?: boolean }[] } };
const site = (namespace: string, name: string) =>
  server.find(Websites, name, namespace) as Website | undefined;
const cm = (namespace: string, name: string) =>
  server.find(ConfigMaps, `${name}-content`, namespace) as
    (Owned & { data?: Record<string, string> }) | undefined;
const deployment = (namespace: string, name: string) =>
  server.find(Deployments, name, namespace) as
    | (Owned & {
        spec?: { replicas?: number };
        status?: Record<string, unknown>;
        metadata?: Record<string, unknown>;
      })
    | undefined;

describe('Website operator over the simulator', () => {
  it('reconciles a Website into an owned ConfigMap and Deployment, and keeps status current', async () => {
    const ns = 'web-1';
    operators.push(
      startOperator({ kubeConfig: server.kubeConfig, namespace: ns, identity: 'only', timings }),
    );
    const created = server.create(Websites, {
      apiVersion: 'example.com/v1',
      kind: 'Website',
      metadata: { name: 'hello', namespace: ns },
      spec: { message: 'Hi', replicas: 2 },
    }) as Website;
    const uid = created.metadata!.uid!;
    await eventually(() =>
      expect(site(ns, 'hello')?.status).toEqual({ observedGeneration: 1, ready: false }),
    );
    expect(cm(ns, 'hello')?.data).toEqual({ 'index.html': 'Hi' });
    expect(cm(ns, 'hello')?.metadata?.ownerReferences).toMatchObject([
      { kind: 'Website', uid, controller: true },
    ]);
    expect(deployment(ns, 'hello')?.spec?.replicas).toBe(2);
    expect(deployment(ns, 'hello')?.metadata?.ownerReferences).toMatchObject([
      { kind: 'Website', uid, controller: true },
    ]);

    // The Deployment becomes ready (what the deployment controller and kubelets would report).
    const d = deployment(ns, 'hello')!;
    server.update(Deployments, { ...d, status: { replicas: 2, readyReplicas: 2 } } as never);
    await eventually(() => expect(site(ns, 'hello')?.status).toEqual({ observedGeneration: 1, ready: true }));

    server.patch(
      Websites,
      'hello',
      { spec: { message: 'Hello again', replicas: 3 } },
      { namespace: ns, type: 'merge' },
    );
    await eventually(() =>
      expect(site(ns, 'hello')?.status).toEqual({ observedGeneration: 2, ready: false }),
    );
    expect(cm(ns, 'hello')?.data).toEqual({ 'index.html': 'Hello again' });
    expect(deployment(ns, 'hello')?.spec?.replicas).toBe(3);

    // Someone edits an owned object: the operator puts it back.
    server.patch(ConfigMaps, 'hello-content', { data: { 'index.html': 'tampered' } }, { namespace: ns });
    await eventually(() => expect(cm(ns, 'hello')?.data).toEqual({ 'index.html': 'Hello again' }));
    expect(
      (server.find(Leases, 'website-operator', ns) as { spec?: { holderIdentity?: string } }).spec
        ?.holderIdentity,
    ).toBe('only');
  });

  it('lets only the leader reconcile, and a standby take over when the leader stops', async () => {
    const ns = 'web-2';
    const reports: string[] = [];
    const replica = (identity: string) => {
      const operator = startOperator({
        kubeConfig: server.kubeConfig,
        namespace: ns,
        identity,
        timings,
        report: (key) => reports.push(`${identity} ${key}`),
      });
      operators.push(operator);
      return operator;
    };
    const a = replica('a');
    await eventually(() => expect(a.elector.isLeader).toBe(true));
    const b = replica('b');
    server.create(Websites, {
      apiVersion: 'example.com/v1',
      kind: 'Website',
      metadata: { name: 'one', namespace: ns },
      spec: { message: '1', replicas: 1 },
    });
    await eventually(() => expect(site(ns, 'one')?.status?.observedGeneration).toBe(1));
    await a.stop();
    await eventually(() => expect(b.elector.isLeader).toBe(true));
    server.create(Websites, {
      apiVersion: 'example.com/v1',
      kind: 'Website',
      metadata: { name: 'two', namespace: ns },
      spec: { message: '2', replicas: 1 },
    });
    await eventually(() => expect(site(ns, 'two')?.status?.observedGeneration).toBe(1));
    expect(reports.filter((r) => r.endsWith('/one')).every((r) => r.startsWith('a '))).toBe(true);
    expect(reports.filter((r) => r.endsWith('/two')).every((r) => r.startsWith('b '))).toBe(true);
    expect(reports.some((r) => r.startsWith('a ') && r.endsWith('/two'))).toBe(false);
  });
});
