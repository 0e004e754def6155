import {
  ConfigMaps,
  ConflictError,
  Deployments,
  ExpiredError,
  Pods,
  createInformerFactory,
  type InformerEvent,
  type KubeObject,
  type WatchEvent,
} from '@rxinformer/core';
import { VirtualAction, VirtualTimeScheduler, lastValueFrom, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { advance, createFakeCluster, type FakeCluster } from '@rxinformer/testing';

type ConfigMap = KubeObject & { data?: Record<string, string> };
const cm = (name: string, data: Record<string, string> = {}): ConfigMap => ({
  metadata: { name, namespace: 'shop' },
  data,
});
const describeEvent = (e: InformerEvent<KubeObject>) =>
  e.type === 'SYNCED' ? 'SYNCED' : `${e.type} ${e.object.metadata?.name ?? ''}`;

let shutdown: (() => void) | undefined;
afterEach(() => {
  shutdown?.();
  shutdown = undefined;
});

function setup(options: { watchList?: 'auto' | 'never'; before?: (cluster: FakeCluster) => void } = {}) {
  const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
  const cluster = createFakeCluster({ scheduler });
  options.before?.(cluster);
  const informers = createInformerFactory({
    source: cluster,
    scheduler,
    random: () => 0,
    lingerMs: 0,
    reflector: { watchList: options.watchList ?? 'auto' },
  });
  shutdown = () => informers.shutdown();
  const configMaps = informers.informer(ConfigMaps, { namespace: 'shop' });
  const events: { at: number; event: string }[] = [];
  const subscription = configMaps.events$.subscribe((e) =>
    events.push({ at: scheduler.now(), event: describeEvent(e) }),
  );
  const seen = () => events.map((e) => e.event);
  return { scheduler, cluster, informers, configMaps, events, seen, subscription };
}

/** Collects what a cold observable emits, running the scheduler to completion. */
async function collect<T>(scheduler: VirtualTimeScheduler, source: Parameters<typeof lastValueFrom<T[]>>[0]) {
  const all = lastValueFrom(source);
  scheduler.flush();
  return all;
}

describe('fake cluster (virtual time)', () => {
  it('serves an informer: a list, then a watch from its resourceVersion, and direct and client writes', async () => {
    const { scheduler, cluster, informers, configMaps, events, seen } = setup({ watchList: 'never' });
    cluster.create(ConfigMaps, cm('a'));
    await advance(scheduler, 10);
    expect(seen()).toEqual(['ADDED a', 'SYNCED']);
    const [list, watch] = cluster.requests.filter((r) => r.resource === 'configmaps');
    expect(list).toMatchObject({
      verb: 'list',
      namespace: 'shop',
      query: { limit: '500', resourceVersion: '0' },
      at: 0,
      code: 200,
    });
    expect(watch).toMatchObject({ verb: 'watch', at: 0, code: 200 });
    expect(watch?.query['resourceVersion']).toBe(
      cluster.get(ConfigMaps, 'a', 'shop').metadata?.resourceVersion,
    );
    expect(watch?.query['allowWatchBookmarks']).toBe('true');

    await advance(scheduler, 1_000);
    const created = informers.client.resource(ConfigMaps, { namespace: 'shop' }).create(cm('b', { x: '1' }));
    cluster.patch(ConfigMaps, 'a', { data: { y: '2' } }, { namespace: 'shop' });
    await advance(scheduler, 0);
    const b = await created;
    expect(b.metadata?.creationTimestamp).toBe('1970-01-01T00:00:01Z'); // the scheduler's clock
    // The direct patch applies at once; the client's create when its request is answered.
    expect(events.slice(2)).toEqual([
      { at: 1_010, event: 'MODIFIED a' },
      { at: 1_010, event: 'ADDED b' },
    ]);
    await configMaps.waitFor(b); // read your writes, resolved in virtual time
    expect(configMaps.store.get('shop/b')?.metadata?.resourceVersion).toBe(b.metadata?.resourceVersion);
    expect(
      cluster.writes.map((w) => `${w.verb} ${w.resource} ${w.namespace}/${w.name ?? ''} ${w.code}`),
    ).toEqual(['create configmaps shop/ 201']);
  });

  it('streams the initial list (sendInitialEvents) by default, ending at the initial-events bookmark', async () => {
    const { scheduler, cluster, seen } = setup();
    cluster.create(ConfigMaps, cm('a'));
    await advance(scheduler, 0);
    expect(seen()).toEqual(['ADDED a', 'SYNCED']);
    const first = cluster.requests.find((r) => r.resource === 'configmaps');
    expect(first).toMatchObject({
      verb: 'watch',
      query: { sendInitialEvents: 'true', resourceVersionMatch: 'NotOlderThan' },
    });
    expect(cluster.requests.filter((r) => r.verb === 'list')).toEqual([]);
  });

  it('pages a LIST with limit and continue, at one consistent resourceVersion', async () => {
    const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
    const cluster = createFakeCluster({ scheduler });
    for (const name of ['a', 'b', 'c']) cluster.create(ConfigMaps, cm(name));
    const lw = cluster.listerWatcher(ConfigMaps, { namespace: 'shop' });
    const [first] = await collect(scheduler, lw.list({ limit: 2 }).pipe(toArray()));
    expect(first?.items.map((i) => i.metadata?.name)).toEqual(['a', 'b']);
    expect(first?.remainingItemCount).toBe(1);
    cluster.create(ConfigMaps, cm('d')); // after the snapshot: not in the next page
    const [second] = await collect(
      scheduler,
      lw.list({ limit: 2, continue: first!.continue! }).pipe(toArray()),
    );
    expect(second?.items.map((i) => i.metadata?.name)).toEqual(['c']);
    expect(second?.resourceVersion).toBe(first?.resourceVersion);
    expect(second?.continue).toBeUndefined();
  });

  it('replays history to a watch from a resourceVersion, and answers a compacted one with a 410 ERROR event', async () => {
    const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
    const cluster = createFakeCluster({ scheduler });
    const a = cluster.create(ConfigMaps, cm('a'));
    cluster.patch(ConfigMaps, 'a', { data: { v: '2' } }, { namespace: 'shop' });
    cluster.delete(ConfigMaps, 'a', 'shop');
    const lw = cluster.listerWatcher(ConfigMaps, { namespace: 'shop' });
    const events: WatchEvent<KubeObject>[] = [];
    const subscription = lw
      .watch({ resourceVersion: a.metadata!.resourceVersion!, timeoutSeconds: 60, allowWatchBookmarks: true })
      .subscribe({ next: (e) => events.push(e) });
    scheduler.maxFrames = 10;
    scheduler.flush();
    expect(events.map((e) => e.type)).toEqual(['MODIFIED', 'DELETED']);
    expect(cluster.bookmark()).toBe(1);
    scheduler.flush();
    expect(events.at(-1)).toMatchObject({
      type: 'BOOKMARK',
      object: { metadata: { resourceVersion: cluster.resourceVersion } },
    });
    subscription.unsubscribe();
    expect(cluster.watchCount()).toBe(0);

    cluster.faults.compactHistory();
    scheduler.maxFrames = Infinity;
    const expired = await collect(
      scheduler,
      lw
        .watch({
          resourceVersion: a.metadata!.resourceVersion!,
          timeoutSeconds: 60,
          allowWatchBookmarks: true,
        })
        .pipe(toArray()),
    );
    expect(expired).toMatchObject([{ type: 'ERROR', object: { code: 410, reason: 'Expired' } }]);
  });

  it('relists after an injected 410, and the relisted cache drops what vanished meanwhile', async () => {
    const { scheduler, cluster, configMaps, seen } = setup({ watchList: 'never' });
    cluster.create(ConfigMaps, cm('a'));
    cluster.create(ConfigMaps, cm('b'));
    await advance(scheduler, 10);
    expect(cluster.expireWatches()).toBe(1);
    cluster.delete(ConfigMaps, 'b', 'shop'); // the informer hears of it only through the relist
    await advance(scheduler, 10);
    expect(seen()).toEqual(['ADDED a', 'ADDED b', 'SYNCED', 'DELETED b']);
    const lists = cluster.requests.filter((r) => r.verb === 'list' && r.resource === 'configmaps');
    expect(lists.map((r) => [r.at, r.query['resourceVersion']])).toEqual([
      [0, '0'],
      [10, undefined], // after a 410: a consistent read, not the watch cache
    ]);
    expect(configMaps.health.relists).toBe(1);
  });

  it('backs off exponentially from 800 ms on injected list failures, by the scheduler', async () => {
    const { scheduler, cluster, configMaps, seen } = setup({
      watchList: 'never',
      before: (c) => c.failNext(3, { code: 500 }, { verb: 'list', resource: ConfigMaps }),
    });
    await advance(scheduler, 10_000);
    const lists = cluster.requests.filter((r) => r.verb === 'list');
    // random() = 0: waits of exactly 800, 1600 and 3200 ms.
    expect(lists.map((r) => [r.at, r.code])).toEqual([
      [0, 500],
      [800, 500],
      [2_400, 500],
      [5_600, 200],
    ]);
    expect(configMaps.health.phase).toBe('watching');
    expect(seen()).toEqual(['SYNCED']);
  });

  it('refuses a stale update with a 409 ConflictError, and a second create with AlreadyExists', async () => {
    const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
    const cluster = createFakeCluster({ scheduler });
    const configMaps = cluster.client.resource(ConfigMaps, { namespace: 'shop' });
    const created = configMaps.create(cm('a'));
    await advance(scheduler, 0);
    const a = await created;
    cluster.patch(ConfigMaps, 'a', { data: { other: 'writer' } }, { namespace: 'shop' });
    const stale = configMaps.update({ ...a, data: { mine: '1' } }).catch((e: unknown) => e);
    const again = configMaps.create(cm('a')).catch((e: unknown) => e);
    await advance(scheduler, 0);
    const conflict = await stale;
    expect(conflict).toBeInstanceOf(ConflictError);
    expect(conflict).toMatchObject({
      code: 409,
      reason: 'Conflict',
      context: { verb: 'update', resource: 'configmaps' },
    });
    expect(await again).toMatchObject({ code: 409, reason: 'AlreadyExists' });
    expect(cluster.get<ConfigMap>(ConfigMaps, 'a', 'shop').data).toEqual({ other: 'writer' });
    expect(cluster.writes.map((w) => `${w.verb} ${w.code}`)).toEqual([
      'create 201',
      'update 409',
      'create 409',
    ]);
  });

  it('marks an object with finalizers deleted, and removes it once they are gone', async () => {
    const { scheduler, cluster, informers, seen } = setup({ watchList: 'never' });
    const client = informers.client.resource(ConfigMaps, { namespace: 'shop' });
    cluster.create(ConfigMaps, {
      ...cm('a'),
      metadata: { name: 'a', namespace: 'shop', finalizers: ['example.com/cleanup'] },
    });
    await advance(scheduler, 3_000);
    const marking = client.delete('a');
    await advance(scheduler, 0);
    const marked = await marking;
    expect(marked?.metadata?.deletionTimestamp).toBe('1970-01-01T00:00:03Z');
    expect(cluster.find(ConfigMaps, 'a', 'shop')).toBeDefined();
    const finishing = client.patch('a', {
      type: 'json',
      patch: [{ op: 'remove', path: '/metadata/finalizers' }],
    });
    await advance(scheduler, 0);
    await finishing;
    expect(cluster.find(ConfigMaps, 'a', 'shop')).toBeUndefined();
    expect(seen()).toEqual(['ADDED a', 'SYNCED', 'MODIFIED a', 'DELETED a']);
  });

  it('bumps generation on spec changes only, and answers a resource it does not serve with 404', async () => {
    const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
    const cluster: FakeCluster = createFakeCluster({ scheduler });
    const deployment = {
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } } },
      },
    };
    cluster.create(Deployments, deployment);
    cluster.patch(Deployments, 'web', { metadata: { labels: { a: 'b' } } }, { namespace: 'shop' });
    expect(cluster.get(Deployments, 'web', 'shop').metadata?.generation).toBe(1);
    cluster.patch(Deployments, 'web', { spec: { replicas: 3 } }, { namespace: 'shop' });
    expect(cluster.get(Deployments, 'web', 'shop').metadata?.generation).toBe(2);
    const scale = cluster.client
      .resource(Deployments, { namespace: 'shop' })
      .getScale('web')
      .catch((e: unknown) => e);
    await advance(scheduler, 0);
    expect(await scale).toMatchObject({ code: 404 }); // no /scale, like the simulator
  });

  it('ends a watch that is dropped with a ConnectionError, and one from the future with 504', async () => {
    const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
    const cluster = createFakeCluster({ scheduler });
    const lw = cluster.listerWatcher(Pods);
    const errors: unknown[] = [];
    lw.watch({ timeoutSeconds: 60, allowWatchBookmarks: true }).subscribe({ error: (e) => errors.push(e) });
    lw.watch({ resourceVersion: '999999', timeoutSeconds: 60, allowWatchBookmarks: true }).subscribe({
      error: (e) => errors.push(e),
    });
    scheduler.maxFrames = 0;
    scheduler.flush();
    expect(cluster.dropWatches()).toBe(1);
    scheduler.flush();
    expect(errors.map((e) => (e as { name: string }).name)).toEqual(['ServerBusyError', 'ConnectionError']);
    expect(errors[0]).toMatchObject({ code: 504 });
    expect(new ExpiredError({ code: 410 }, { verb: 'watch', resource: 'pods' }).transient).toBe(true);
  });

  it('needs exactly one of kubeConfig and source', () => {
    const cluster = createFakeCluster();
    expect(() => createInformerFactory({} as never)).toThrow(TypeError);
    expect(() => createInformerFactory({ source: cluster, kubeConfig: {} } as never)).toThrow(/not both/);
    const informers = createInformerFactory({ source: cluster });
    expect(informers.client).toBe(cluster.client);
    expect(informers.transport).toBeUndefined();
    informers.shutdown();
  });
});
