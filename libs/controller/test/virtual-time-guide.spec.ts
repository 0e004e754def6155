// The example of "Testing controllers in virtual time" in libs/testing/README.md: keep the two alike.
import { ConfigMaps, Leases, createInformerFactory, type KubeObject } from '@rxinformer/core';
import { LeaderElector, controller, exponentialFailureRateLimiter } from '@rxinformer/controller';
import { advance, createFakeCluster } from '@rxinformer/testing';
import { VirtualAction, VirtualTimeScheduler } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';

type Site = KubeObject & { data?: Record<string, string> };

afterEach(() => vi.restoreAllMocks());

describe('testing controllers in virtual time', () => {
  it('retries a failed reconcile after its backoff, and the next reconcile reads its own write', async () => {
    const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
    const cluster = createFakeCluster({ scheduler });
    const informers = createInformerFactory({ source: cluster, scheduler, random: () => 0, lingerMs: 0 });
    const sites = informers.informer<Site>(ConfigMaps, { namespace: 'shop', labelSelector: 'app=site' });
    const log: string[] = [];
    let failuresLeft = 1;
    const sitesController = controller<Site>({
      name: 'site',
      for: sites,
      scheduler,
      rateLimiter: exponentialFailureRateLimiter({ baseDelayMs: 1_000, maxDelayMs: 60_000 }),
      reconcile: async ({ object, name, client }) => {
        const wanted = object?.data?.['version'];
        const observed = object?.metadata?.annotations?.['observed'];
        log.push(`${scheduler.now()}: ${name} wants ${wanted}, observed ${observed}`);
        if (!object || wanted === observed) return; // converged
        if (failuresLeft-- > 0) throw new Error('the API of a dependency is down');
        await client
          .resource(ConfigMaps, { namespace: 'shop' })
          .patch(name, { type: 'merge', patch: { metadata: { annotations: { observed: wanted } } } });
      },
    });

    cluster.create<Site>(ConfigMaps, {
      metadata: { name: 'web', namespace: 'shop', labels: { app: 'site' } },
      data: { version: '1' },
    });
    sitesController.start();
    await advance(scheduler, 999);
    expect(log).toEqual(['0: web wants 1, observed undefined']); // failed; retried after 1 s
    await advance(scheduler, 1);
    expect(log).toEqual([
      '0: web wants 1, observed undefined',
      '1000: web wants 1, observed undefined', // wrote the annotation
      '1000: web wants 1, observed 1', // its own write, already in the cache: converged
    ]);
    expect(cluster.writes.map((w) => `${w.at}: ${w.verb} ${w.resource} ${w.namespace}/${w.name}`)).toEqual([
      '1000: patch configmaps shop/web',
    ]);

    await advance(scheduler, 5_000);
    cluster.patch(ConfigMaps, 'web', { data: { version: '2' } }, { namespace: 'shop' }); // a user edits it
    await advance(scheduler, 0);
    expect(log.slice(3)).toEqual(['6000: web wants 2, observed 1', '6000: web wants 2, observed 2']);
    expect(cluster.get<Site>(ConfigMaps, 'web', 'shop').metadata?.annotations).toEqual({ observed: '2' });

    await sitesController.stop();
    informers.shutdown();
  });

  it('hands leadership to the standby a lease duration after the leader stopped renewing', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0); // no jitter on the standby's retry period
    const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
    const cluster = createFakeCluster({ scheduler });
    const timings = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };
    const candidate = (identity: string) =>
      new LeaderElector({
        client: cluster.client,
        scheduler,
        namespace: 'default',
        name: 'site-operator',
        identity,
        releaseOnCancel: false, // stop like a crash: the lease is left to expire
        ...timings,
      });
    const a = candidate('a');
    const b = candidate('b');
    const terms: string[] = [];
    a.leader$.subscribe((leading) => terms.push(`${scheduler.now()}: a ${leading ? 'leads' : 'stands by'}`));
    b.leader$.subscribe((leading) => terms.push(`${scheduler.now()}: b ${leading ? 'leads' : 'stands by'}`));

    a.start(); // creates the Lease at 0, renews every 2 s
    await advance(scheduler, 1_000);
    b.start(); // polls at 1 s, 3 s, 5 s …: the lease is held and keeps changing
    await advance(scheduler, 9_500);
    await a.stop(); // at 10.5 s; its last renewal was at 10 s, which b first sees at 11 s
    await advance(scheduler, 20_000);

    expect(terms).toEqual([
      '0: a stands by', // leader$ replays its current value on subscribe
      '0: b stands by',
      '0: a leads',
      '10500: a stands by',
      '27000: b leads', // the first poll at least 15 s after b saw the lease change (11 s)
    ]);
    expect(cluster.get(Leases, 'site-operator', 'default')).toMatchObject({
      spec: {
        holderIdentity: 'b',
        leaseTransitions: 1,
        acquireTime: '1970-01-01T00:00:27.000000Z',
        renewTime: '1970-01-01T00:00:29.000000Z', // renewed every 2 s; now is 30.5 s
      },
    });
    await b.stop();
  });
});
