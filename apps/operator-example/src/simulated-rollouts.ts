import type { V1Deployment } from '@kubernetes/client-node';
import { Deployments, type Informer, type Wire } from '@rxinformer/core';
import type { KubeApiServer } from '@rxinformer/testing';
import type { Subscription } from 'rxjs';

/**
 * Plays the deployment controller and kubelets on the simulator, which has neither: every
 * Deployment seen by `deployments` gets `status.readyReplicas` = `spec.replicas`, so Websites
 * become ready in the demo.
 *
 * @example
 * ```ts
 * const rollouts = simulateRollouts(server, informers.informer(Deployments, { namespace: 'default' }));
 * rollouts.unsubscribe();
 * ```
 */
export function simulateRollouts(
  server: KubeApiServer,
  deployments: Informer<Wire<V1Deployment>>,
): Subscription {
  return deployments.events$.subscribe((event) => {
    if (event.type !== 'ADDED' && event.type !== 'MODIFIED') return;
    const { name, namespace } = event.object.metadata ?? {};
    const replicas = event.object.spec?.replicas ?? 1;
    if (
      !name ||
      ((event.object.status?.readyReplicas ?? 0) === replicas &&
        event.object.status?.observedGeneration === event.object.metadata?.generation)
    )
      return;
    const current = server.find(Deployments, name, namespace) as Wire<V1Deployment> | undefined;
    if (!current) return;
    const status = {
      observedGeneration: current.metadata?.generation ?? 1,
      replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
      updatedReplicas: replicas,
    };
    server.update(Deployments, { ...current, status });
  });
}
