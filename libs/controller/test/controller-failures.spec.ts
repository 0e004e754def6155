// A fatal error of an informer or of the ownership is data: the controller fails (status$,
// done), stops its workers, releases its ownership, and the process lives. Vitest reports any
// unhandled error or rejection as a failure of the run.
import { KubeConfig } from '@kubernetes/client-node';
import { BehaviorSubject, firstValueFrom, filter } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ConfigMaps,
  Deployments,
  ForbiddenError,
  Leases,
  ResourceNotFoundError,
  createInformerFactory,
  defineResource,
  type InformerFactory,
  type KubeObject,
} from '@rxinformer/core';
import { createKubeApiServer, type KubeApiServer } from '@rxinformer/testing';
import {
  LeaderElector,
  controller,
  type Controller,
  type ControllerStatus,
  type KeyFilter,
  type KeyOwnership,
} from '@rxinformer/controller';

/** Polls an assertion until it holds (the suite's own bound, far above what a run needs). */
const eventually = (assertion: () => void) => vi.waitFor(assertion, { timeout: 20_000, interval: 20 });
const timings = { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 300 };
let server: KubeApiServer;
let factory: InformerFactory;
const running: { stop(): Promise<void> }[] = [];

beforeEach(async () => {
  server = await createKubeApiServer({ bookmarkIntervalMs: 100 });
  factory = createInformerFactory({ kubeConfig: server.kubeConfig, lingerMs: 0 });
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
  factory.shutdown();
  await server.close();
});

/** A CRD that is not installed: the API server answers its list with 404. */
const Widgets = defineResource<KubeObject>({
  group: 'example.com',
  version: 'v1',
  plural: 'widgets',
  kind: 'Widget',
  namespaced: true,
});

function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig());
  return kc;
}

function track(c: Controller): Controller {
  running.push(c);
  return c;
}

const phasesOf = (c: Controller) => {
  const phases: string[] = [];
  c.status$.subscribe((s) => phases.at(-1) !== s.phase && phases.push(s.phase));
  return phases;
};

describe('controller: informer and ownership failures are data', () => {
  it('fails, without crashing, when its `for` resource is not served (404), and says so on status$ and done', async () => {
    let ownershipStopped = false;
    const ownership: KeyOwnership = {
      ownership$: new BehaviorSubject<KeyFilter | undefined>(() => true),
      start: () => undefined,
      stop: async () => void (ownershipStopped = true),
    };
    const reconciled: string[] = [];
    const c = track(
      controller({
        name: 'widgets',
        for: factory.informer(Widgets),
        ownership,
        reconcile: ({ key }) => void reconciled.push(key),
      }),
    );
    const phases = phasesOf(c);
    c.start();
    const error = await c.done.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ResourceNotFoundError);
    const status: ControllerStatus = c.status;
    expect(status.phase).toBe('failed');
    expect(status.failure).toEqual({
      source: 'for',
      index: undefined,
      resource: 'widgets.example.com',
      error,
    });
    expect(phases).toEqual(['idle', 'waiting-for-sync', 'failed']);
    expect(await firstValueFrom(c.active$)).toBe(false);
    expect(ownershipStopped).toBe(true);
    expect(reconciled).toEqual([]);
    await c.stop(); // resolves: the failure's cleanup is done
  });

  it('on a 403 of an `owns` informer while leading: aborts in-flight reconciles, releases the Lease so another replica takes over', async () => {
    server.create(Deployments, {
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'c', image: 'nginx' }] },
        },
      },
    });
    const a = new LeaderElector({
      kubeConfig: kubeConfig(),
      namespace: 'default',
      name: 'op',
      identity: 'a',
      ...timings,
    });
    const signals: AbortSignal[] = [];
    const c = track(
      controller({
        name: 'deployments',
        for: factory.informer(Deployments, { namespace: 'shop' }),
        owns: [factory.informer(ConfigMaps, { namespace: 'shop' })],
        ownership: a,
        reconcile: ({ signal }) => {
          signals.push(signal);
          return new Promise<void>((_, reject) =>
            signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
          );
        },
      }),
    );
    c.start();
    await eventually(() => expect(signals).toHaveLength(1));
    expect(c.status.phase).toBe('active');

    // RBAC loses list and watch on ConfigMaps; the open watch ends, the next request is refused.
    const forbidden = server.faults.failNext(Infinity, { code: 403 }, { resource: ConfigMaps });
    server.faults.dropWatches({ resource: ConfigMaps });
    const error = await c.done.then(
      () => undefined,
      (e: unknown) => e,
    );
    forbidden.cancel();
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(c.status.failure).toMatchObject({ source: 'owns', index: 0, resource: 'configmaps', error });
    expect(signals[0]!.aborted).toBe(true);
    expect(signals[0]!.reason).toBe(error);
    expect(a.isLeader).toBe(false);
    const lease = server.find(Leases, 'op', 'default') as { spec?: { holderIdentity?: string } };
    expect(lease.spec?.holderIdentity).toBe(''); // released, not left to expire

    const b = new LeaderElector({
      kubeConfig: kubeConfig(),
      namespace: 'default',
      name: 'op',
      identity: 'b',
      ...timings,
    });
    running.push(b);
    b.start();
    await firstValueFrom(b.leader$.pipe(filter(Boolean)));
  });

  it('fails with source `ownership` when its LeaderElector may not read the Lease (403)', async () => {
    server.create(ConfigMaps, { metadata: { name: 'a', namespace: 'shop' } });
    const forbidden = server.faults.failNext(Infinity, { code: 403 }, { resource: Leases });
    const elector = new LeaderElector({
      kubeConfig: kubeConfig(),
      namespace: 'default',
      name: 'op',
      identity: 'a',
      ...timings,
    });
    const reconciled: string[] = [];
    const c = track(
      controller({
        name: 'cms',
        for: factory.informer(ConfigMaps, { namespace: 'shop' }),
        ownership: elector,
        reconcile: ({ key }) => void reconciled.push(key),
      }),
    );
    c.start();
    const error = await c.done.then(
      () => undefined,
      (e: unknown) => e,
    );
    forbidden.cancel();
    expect(error).toBeInstanceOf(ForbiddenError);
    expect((error as ForbiddenError).context.resource).toBe('leases.coordination.k8s.io');
    expect(c.status).toMatchObject({
      phase: 'failed',
      failure: { source: 'ownership', index: undefined, resource: undefined, error },
    });
    expect(elector.health.phase).toBe('failed');
    expect(reconciled).toEqual([]);
  });
});
