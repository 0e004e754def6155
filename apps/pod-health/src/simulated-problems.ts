import { Pods } from '@rxinformer/core';
import type { KubeApiServer } from '@rxinformer/testing';

/**
 * Adds pods with problems to the simulator's workload, one of each kind pod-health reports:
 * CrashLoopBackOff, ImagePullBackOff, too many restarts, NotReady for 20 minutes, Failed.
 *
 * @example
 * ```ts
 * await startSimulator({ pods: 500, extras: addUnhealthyPods });
 * ```
 */
export function addUnhealthyPods(server: KubeApiServer): void {
  const now = Date.now();
  const ago = (minutes: number): string =>
    new Date(now - minutes * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const pod = (name: string, node: string, status: Record<string, unknown>) =>
    server.create(Pods, {
      metadata: { name, namespace: 'shop', labels: { app: name.split('-')[0] ?? name } },
      spec: {
        nodeName: node,
        containers: [
          {
            name: 'main',
            image: name.startsWith('cart') ? 'registry.example/cart:does-not-exist' : 'nginx:1.27.2',
          },
        ],
      },
      status: { startTime: ago(30), ...status },
    });
  const container = (state: Record<string, unknown>, ready: boolean, restartCount: number) => [
    { name: 'main', image: 'nginx:1.27.2', imageID: '', ready, restartCount, state },
  ];
  const conditions = (ready: boolean, minutes: number) => [
    { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: ago(minutes) },
  ];
  pod('checkout-7d9f-crash', 'node-1', {
    phase: 'Running',
    conditions: conditions(false, 6),
    containerStatuses: container(
      { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container=main' } },
      false,
      9,
    ),
  });
  pod('cart-5c4b-image', 'node-2', {
    phase: 'Pending',
    conditions: conditions(false, 12),
    containerStatuses: container(
      {
        waiting: {
          reason: 'ImagePullBackOff',
          message: 'Back-off pulling image "registry.example/cart:does-not-exist"',
        },
      },
      false,
      0,
    ),
  });
  pod('search-66b8-flaky', 'node-3', {
    phase: 'Running',
    conditions: conditions(true, 2),
    containerStatuses: container({ running: { startedAt: ago(2) } }, true, 14),
  });
  pod('ledger-0-stuck', 'node-4', {
    phase: 'Running',
    conditions: conditions(false, 20),
    containerStatuses: container({ running: { startedAt: ago(25) } }, false, 0),
  });
  pod('report-2911-failed', 'node-5', {
    phase: 'Failed',
    reason: 'Evicted',
    message: 'The node was low on resource: memory.',
    conditions: conditions(false, 8),
  });
  pod('web-6f7c-healthy', 'node-6', {
    phase: 'Running',
    conditions: conditions(true, 30),
    containerStatuses: container({ running: { startedAt: ago(30) } }, true, 0),
  });
}
