import { KubeClient, apiErrorFor, type JsonRequest, type KubeStatus } from '@rxinformer/core';
import { createFakeCluster, type FakeCluster } from '@rxinformer/testing';
import { Observable, VirtualAction, VirtualTimeScheduler } from 'rxjs';

/** A fake cluster on a virtual clock that starts at 0 and never runs ahead on its own. */
export function createLeaseCluster(): { scheduler: VirtualTimeScheduler; cluster: FakeCluster } {
  const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
  return { scheduler, cluster: createFakeCluster({ scheduler }) };
}

const unauthorized: KubeStatus = {
  apiVersion: 'v1',
  kind: 'Status',
  status: 'Failure',
  reason: 'Unauthorized',
  message: 'Unauthorized',
  code: 401,
};

/**
 * A client of its own on `cluster`, which `cutOff()` turns into one whose every request is
 * answered 401 (as after a revoked token) while other clients of the cluster keep working:
 * the fake's fault injection cannot tell candidates apart, since they send the same requests.
 */
export function severableClient(cluster: FakeCluster): { client: KubeClient; cutOff(): void } {
  let cut = false;
  const backend = {
    requestJson<R>(request: JsonRequest): Observable<R> {
      if (!cut) return cluster.requestJson<R>(request);
      // Answered on the cluster's clock, like every answer of the fake.
      return new Observable<R>((subscriber) => {
        const action = cluster.scheduler.schedule(() =>
          subscriber.error(apiErrorFor(unauthorized, request.context)),
        );
        return () => action.unsubscribe();
      });
    },
  };
  return {
    client: new KubeClient(backend, { scheduler: cluster.scheduler }),
    cutOff: () => void (cut = true),
  };
}

/** The Lease requests the cluster answered, as `<at>: <verb> <name> <code>`. */
export function leaseRequests(cluster: FakeCluster): string[] {
  return cluster.requests
    .filter((r) => r.resource === 'leases.coordination.k8s.io')
    .map((r) => `${r.at}: ${r.verb}${r.name === undefined ? '' : ` ${r.name}`} ${r.code}`);
}
