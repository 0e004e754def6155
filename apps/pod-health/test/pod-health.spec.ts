import { CoreV1Api } from '@kubernetes/client-node';
import { Pods } from '@rxinformer/core';
import { createKubeApiServer, type KubeApiServer } from '@rxinformer/testing';
import { Registry } from 'prom-client';
import { filter, firstValueFrom, ReplaySubject, type Subscription } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { watchPodHealth, type PodHealth } from '../src/pod-health.js';
import type { HealthReport } from '../src/unhealthy-pods.js';

let server: KubeApiServer;
let health: PodHealth;
let subscription: Subscription;
let reports: ReplaySubject<HealthReport>;
let registry: Registry;

const crashLoop = {
  phase: 'Running',
  conditions: [{ type: 'Ready', status: 'False' }],
  containerStatuses: [
    {
      name: 'web',
      image: 'nginx',
      imageID: '',
      ready: false,
      restartCount: 3,
      state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' } },
    },
  ],
};
const running = {
  phase: 'Running',
  conditions: [{ type: 'Ready', status: 'True' }],
  containerStatuses: [
    { name: 'web', image: 'nginx', imageID: '', ready: true, restartCount: 3, state: { running: {} } },
  ],
};

beforeEach(async () => {
  server = await createKubeApiServer();
  for (let i = 0; i < 20; i++)
    server.create(Pods, {
      metadata: { name: `web-${i}`, namespace: 'shop' },
      spec: { containers: [{ name: 'web', image: 'nginx' }] },
      status: running,
    });
  registry = new Registry();
  health = watchPodHealth({
    kubeConfig: server.kubeConfig,
    namespace: 'shop',
    thresholds: { restarts: 5, notReadyMs: 300_000 },
    windowMs: 50,
    registry,
  });
  reports = new ReplaySubject<HealthReport>();
  subscription = health.reports$.subscribe(reports);
});
afterEach(async () => {
  subscription.unsubscribe();
  health.close();
  await server.close();
});

const nextReport = (predicate: (r: HealthReport) => boolean) =>
  firstValueFrom(reports.pipe(filter(predicate)));

describe('pod-health on the simulator', () => {
  it('reports a pod that goes into CrashLoopBackOff, and its recovery', async () => {
    const first = await nextReport(() => true);
    expect(first).toMatchObject({ pods: 20, unhealthy: [], newlyUnhealthy: [], recovered: [] });

    const core = server.kubeConfig.makeApiClient(CoreV1Api);
    const pod = await core.readNamespacedPod({ name: 'web-7', namespace: 'shop' });
    await core.replaceNamespacedPodStatus({
      name: 'web-7',
      namespace: 'shop',
      body: { ...pod, status: crashLoop as never },
    });
    const bad = await nextReport((r) => r.newlyUnhealthy.includes('shop/web-7'));
    expect(bad.unhealthy).toEqual([
      {
        pod: 'shop/web-7',
        node: undefined,
        problems: [
          {
            reason: 'CrashLoopBackOff',
            container: 'web',
            detail: 'back-off 40s restarting failed container',
          },
        ],
      },
    ]);
    expect(await registry.getSingleMetricAsString('pod_health_unhealthy_pods')).toContain(
      'pod_health_unhealthy_pods{reason="CrashLoopBackOff"} 1',
    );

    server.patch(Pods, 'web-7', { status: running }, { namespace: 'shop' });
    const healed = await nextReport((r) => r.recovered.includes('shop/web-7'));
    expect(healed.unhealthy).toEqual([]);
  });

  it('forgets a deleted pod and counts the pods it watches', async () => {
    await nextReport(() => true);
    server.create(Pods, {
      metadata: { name: 'broken', namespace: 'shop' },
      spec: { containers: [{ name: 'web', image: 'nope' }] },
      status: { ...crashLoop, phase: 'Pending' },
    });
    await nextReport((r) => r.newlyUnhealthy.includes('shop/broken') && r.pods === 21);
    server.delete(Pods, 'broken', 'shop');
    const after = await nextReport((r) => r.recovered.includes('shop/broken'));
    expect(after.pods).toBe(20);
    expect(await registry.getSingleMetricAsString('pod_health_pods')).toContain('pod_health_pods 20');
  });
});
