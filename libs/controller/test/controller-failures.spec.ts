// A fatal error of an informer or of the ownership is data: the controller fails (status$,
// done), stops its workers, releases its ownership, and the process lives. Vitest reports any
// unhandled error or rejection as a failure of the run. In virtual time over the fake cluster:
// each failure is asserted at the exact virtual time it happens, not polled for.
import { BehaviorSubject, VirtualAction, VirtualTimeScheduler, filter, firstValueFrom } from 'rxjs';
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
import { advance, createFakeCluster, type FakeCluster } from '@rxinformer/testing';
import {
  LeaderElector,
  controller,
  type Controller,
  type ControllerStatus,
  type KeyFilter,
  type KeyOwnership,
} from '@rxinformer/controller';

const timings = { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 300 };
let scheduler: VirtualTimeScheduler;
let cluster: FakeCluster;
let factory: InformerFactory<undefined>;
const running: { stop(): Promise<void> }[] = [];

beforeEach(() => {
  vi.spyOn(Math, 'random').mockReturnValue(0); // no jitter on a standby elector's retry period
  scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
  cluster = createFakeCluster({ scheduler });
  factory = createInformerFactory({ source: cluster, scheduler, random: () => 0, lingerMs: 0 });
});
afterEach(async () => {
  const stopped = Promise.all(running.splice(0).map((r) => r.stop()));
  await advance(scheduler, 0); // lets the cluster answer the releases the stops send
  await stopped;
  factory.shutdown();
  await advance(scheduler, 0);
  expect(scheduler.actions.map((a) => a.delay)).toEqual([]); // no timer outlives the test
  vi.restoreAllMocks();
});

/** A CRD that is not installed: the API server answers its list with 404. */
const Widgets = defineResource<KubeObject>({
  group: 'example.com',
  version: 'v1',
  plural: 'widgets',
  kind: 'Widget',
  namespaced: true,
});

function elector(identity: string): LeaderElector {
  return new LeaderElector({
    client: cluster.client,
    scheduler,
    namespace: 'default',
    name: 'op',
    identity,
    ...timings,
  });
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

/** `done`'s rejection and the virtual time it came at, once the clock has run to it. */
function settled(c: Controller): { at?: number; error?: unknown; resolved?: boolean } {
  const outcome: { at?: number; error?: unknown; resolved?: boolean } = {};
  c.done.then(
    () => void ((outcome.at = scheduler.now()), (outcome.resolved = true)),
    (e: unknown) => void ((outcome.at = scheduler.now()), (outcome.error = e)),
  );
  return outcome;
}

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
        scheduler,
        reconcile: ({ key }) => void reconciled.push(key),
      }),
    );
    const phases = phasesOf(c);
    const outcome = settled(c);
    c.start();
    await advance(scheduler, 0); // the first list is answered 404 at once
    expect(outcome.at).toBe(0);
    const error = outcome.error;
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
    cluster.create(Deployments, {
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'c', image: 'nginx' }] },
        },
      },
    });
    const a = elector('a');
    const signals: { at: number; signal: AbortSignal }[] = [];
    const c = track(
      controller({
        name: 'deployments',
        for: factory.informer(Deployments, { namespace: 'shop' }),
        owns: [factory.informer(ConfigMaps, { namespace: 'shop' })],
        ownership: a,
        scheduler,
        reconcile: ({ signal }) => {
          signals.push({ at: scheduler.now(), signal });
          return new Promise<void>((_, reject) =>
            signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
          );
        },
      }),
    );
    const outcome = settled(c);
    c.start();
    await advance(scheduler, 0); // a leads at once, the informers sync, web is reconciled
    expect(signals.map((s) => s.at)).toEqual([0]);
    expect(c.status.phase).toBe('active');
    await advance(scheduler, 1_000);
    expect(signals).toHaveLength(1);
    expect(outcome.at).toBeUndefined();

    // RBAC loses list and watch on ConfigMaps; the open watch ends, the next request is refused.
    const forbidden = cluster.failNext(Infinity, { code: 403 }, { resource: ConfigMaps });
    cluster.dropWatches({ resource: ConfigMaps });
    await advance(scheduler, 0);
    forbidden.cancel();
    expect(outcome.at).toBe(1_000);
    const error = outcome.error;
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(c.status.failure).toMatchObject({ source: 'owns', index: 0, resource: 'configmaps', error });
    expect(signals[0]!.signal.aborted).toBe(true);
    expect(signals[0]!.signal.reason).toBe(error);
    expect(a.isLeader).toBe(false);
    const lease = cluster.find(Leases, 'op', 'default') as { spec?: { holderIdentity?: string } };
    expect(lease.spec?.holderIdentity).toBe(''); // released, not left to expire

    const b = elector('b');
    running.push(b);
    const leading = firstValueFrom(b.leader$.pipe(filter(Boolean)));
    b.start();
    await advance(scheduler, 0); // at once: no waiting out a's lease duration
    await leading;
    expect(b.isLeader).toBe(true);
    expect(scheduler.now()).toBe(1_000);
  });

  it('fails with source `ownership` when its LeaderElector may not read the Lease (403)', async () => {
    cluster.create(ConfigMaps, { metadata: { name: 'a', namespace: 'shop' } });
    const forbidden = cluster.failNext(Infinity, { code: 403 }, { resource: Leases });
    const a = elector('a');
    const reconciled: string[] = [];
    const c = track(
      controller({
        name: 'cms',
        for: factory.informer(ConfigMaps, { namespace: 'shop' }),
        ownership: a,
        scheduler,
        reconcile: ({ key }) => void reconciled.push(key),
      }),
    );
    const outcome = settled(c);
    c.start();
    await advance(scheduler, 0); // the first get of the Lease is refused: no retry
    forbidden.cancel();
    expect(outcome.at).toBe(0);
    const error = outcome.error;
    expect(error).toBeInstanceOf(ForbiddenError);
    expect((error as ForbiddenError).context.resource).toBe('leases.coordination.k8s.io');
    expect(c.status).toMatchObject({
      phase: 'failed',
      failure: { source: 'ownership', index: undefined, resource: undefined, error },
    });
    expect(a.health.phase).toBe('failed');
    expect(reconciled).toEqual([]);
    await advance(scheduler, 10 * timings.retryPeriodMs);
    expect(reconciled).toEqual([]);
  });
});
