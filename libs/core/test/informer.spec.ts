import { firstValueFrom, filter, take, toArray, type Subscription } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKubeApiServer, type KubeApiServer } from '@rxinformer/testing';
import {
  ConfigMaps,
  DecodeError,
  ForbiddenError,
  InvalidRequestError,
  Pods,
  ResourceNotFoundError,
  createInformerFactory,
  defineResource,
  objectKey,
  type InformerEvent,
  type InformerFactory,
  type InformerFactoryOptions,
  type KubeObject,
} from '@rxinformer/core';

let server: KubeApiServer;
let factory: InformerFactory | undefined;
const subscriptions: Subscription[] = [];

beforeEach(async () => {
  server = await createKubeApiServer({ bookmarkIntervalMs: 100 });
});
afterEach(async () => {
  subscriptions.splice(0).forEach((s) => s.unsubscribe());
  factory?.shutdown();
  factory = undefined;
  await server.close();
});

function informers(options: Partial<InformerFactoryOptions> = {}): InformerFactory {
  factory = createInformerFactory({
    kubeConfig: server.kubeConfig,
    lingerMs: 0,
    ...options,
    // Fast retries keep the suite quick; the schedule itself is tested in virtual time.
    reflector: { backoff: { initialMs: 10, maxMs: 50 }, ...options.reflector },
  });
  return factory;
}

function configMap(name: string, data: Record<string, string> = {}, namespace = 'shop') {
  return { metadata: { name, namespace, labels: { app: 'web' } }, data };
}

function collect<T extends KubeObject>(events: InformerEvent<T>[]) {
  return (e: InformerEvent<T>) => events.push(e);
}

const names = (events: InformerEvent[]) =>
  events.map((e) => (e.type === 'SYNCED' ? 'SYNCED' : `${e.type} ${e.object.metadata?.name}`));

/** Resolves when `count` events satisfying `predicate` have been collected. */
async function until<T extends KubeObject>(
  events: InformerEvent<T>[],
  predicate: (e: InformerEvent<T>) => boolean,
  count = 1,
) {
  for (let i = 0; i < 500; i++) {
    if (events.filter(predicate).length >= count) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for events; have: ${names(events as InformerEvent[]).join(', ')}`);
}

describe('informer over HTTP', () => {
  it('serves 100 subscribers from one LIST (or WatchList) and one WATCH', async () => {
    for (let i = 0; i < 20; i++) server.create(ConfigMaps, configMap(`cm-${i}`));
    const cms = informers().informer(ConfigMaps, { namespace: 'shop' });
    const counts = new Array(100).fill(0);
    for (let i = 0; i < 100; i++) {
      subscriptions.push(cms.events$.subscribe((e) => e.type === 'ADDED' && counts[i]++));
    }
    await cms.synced;
    server.create(ConfigMaps, configMap('late'));
    await firstValueFrom(
      cms.events$.pipe(filter((e) => e.type === 'ADDED' && e.object.metadata?.name === 'late')),
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(counts.every((n) => n === 21)).toBe(true);
    const requests = server.requests.filter((r) => r.resource === 'configmaps');
    expect(requests.filter((r) => r.verb === 'list' || r.verb === 'watch')).toHaveLength(requests.length);
    expect(requests).toHaveLength(1); // streaming list: the one WATCH also carried the initial state
    expect(requests[0]!.query.sendInitialEvents).toBe('true');
  });

  it('lists from the watch cache first, then in pages of `limit` for the consistent relist after a 410', async () => {
    for (let i = 0; i < 25; i++) server.create(ConfigMaps, configMap(`cm-${i}`));
    const cms = informers({ reflector: { watchList: 'never', pageSize: 10 } }).informer(ConfigMaps);
    subscriptions.push(cms.start());
    await cms.synced;
    expect(cms.store.size).toBe(25);
    const lists = () =>
      server.requests
        .filter((r) => r.resource === 'configmaps' && r.verb === 'list')
        .map(
          (r) =>
            `rv=${r.query.resourceVersion ?? ''} limit=${r.query.limit} continue=${r.query.continue ? 'yes' : 'no'}`,
        );
    // resourceVersion=0 is served from the watch cache, which (as on kube-apiserver) ignores limit.
    expect(lists()).toEqual(['rv=0 limit=10 continue=no']);
    await server.waitForWatches(1, { resource: ConfigMaps });
    expect(cms.store.get('shop/cm-3')?.apiVersion).toBe('v1');
    expect(Object.isFrozen(cms.store.get('shop/cm-3')?.metadata)).toBe(true);

    // The informer misses a change, then its resourceVersion is compacted away: 410, relist.
    const stall = server.faults.stallWatches();
    server.create(ConfigMaps, configMap('cm-25'));
    server.faults.compactHistory();
    stall.cancel();
    server.faults.dropWatches();
    await firstValueFrom(cms.health$.pipe(filter((h) => h.relists === 1 && h.phase === 'watching')));
    expect(lists().slice(1)).toEqual([
      'rv= limit=10 continue=no',
      'rv= limit=10 continue=yes',
      'rv= limit=10 continue=yes',
    ]);
    expect(cms.store.size).toBe(26);
  });

  it('delivers ADDED, MODIFIED with the previous object, and DELETED', async () => {
    const cms = informers().informer(ConfigMaps, { namespace: 'shop' });
    const events: InformerEvent[] = [];
    subscriptions.push(cms.events$.subscribe(collect(events)));
    await cms.synced;
    server.create(ConfigMaps, configMap('a', { v: '1' }));
    server.patch(ConfigMaps, 'a', { data: { v: '2' } }, { namespace: 'shop' });
    server.delete(ConfigMaps, 'a', 'shop');
    await until(events, (e) => e.type === 'DELETED');
    expect(names(events)).toEqual(['SYNCED', 'ADDED a', 'MODIFIED a', 'DELETED a']);
    const modified = events[2]!;
    expect(modified.type === 'MODIFIED' && (modified.previous as { data?: { v?: string } }).data?.v).toBe(
      '1',
    );
    expect(cms.store.size).toBe(0);
  });

  it('relists after a 410 and emits only the difference', async () => {
    for (const n of ['a', 'b', 'c']) server.create(ConfigMaps, configMap(n));
    const cms = informers().informer(ConfigMaps, { namespace: 'shop' });
    const events: InformerEvent[] = [];
    subscriptions.push(cms.events$.subscribe(collect(events)));
    await cms.synced;
    const stall = server.faults.stallWatches();
    server.delete(ConfigMaps, 'b', 'shop');
    server.patch(ConfigMaps, 'c', { data: { x: 'y' } }, { namespace: 'shop' });
    server.create(ConfigMaps, configMap('d'));
    server.faults.compactHistory();
    stall.cancel();
    server.faults.dropWatches();
    await until(events, (e) => e.type === 'DELETED');
    await until(events, (e) => e.type === 'ADDED' && e.object.metadata?.name === 'd');
    const after = names(events.slice(4));
    expect(after.sort()).toEqual(['ADDED d', 'DELETED b', 'MODIFIED c']);
    const deleted = events.find((e) => e.type === 'DELETED')!;
    expect(deleted.type === 'DELETED' && deleted.finalStateUnknown).toBe(true);
    expect(cms.health.relists).toBe(1);
  });

  it('resumes a dropped watch from the last resourceVersion (moved on by bookmarks) without relisting', async () => {
    const cms = informers({ reflector: { watchList: 'never' } }).informer(ConfigMaps, { namespace: 'shop' });
    const events: InformerEvent[] = [];
    subscriptions.push(cms.events$.subscribe(collect(events)));
    await cms.synced;
    server.create(Pods, { metadata: { name: 'elsewhere', namespace: 'shop' } }); // moves the global RV
    await firstValueFrom(
      cms.health$.pipe(
        filter((h) => h.lastBookmarkAt !== undefined && h.resourceVersion === server.resourceVersion),
      ),
    );
    const bookmarked = cms.health.resourceVersion;
    server.faults.dropWatches();
    server.create(ConfigMaps, configMap('after-drop'));
    await until(events, (e) => e.type === 'ADDED');
    const calls = server.requests.filter((r) => r.resource === 'configmaps');
    expect(calls.filter((r) => r.verb === 'list')).toHaveLength(1);
    expect(calls.filter((r) => r.verb === 'watch').map((r) => r.query.resourceVersion)).toContain(bookmarked);
    expect(cms.health.relists).toBe(0);
    expect(cms.health.restarts).toBeGreaterThanOrEqual(1);
  });

  it('waits out 429 with Retry-After and then syncs', async () => {
    server.faults.failNext(1, { code: 429, retryAfterSeconds: 1 }, { resource: ConfigMaps });
    const cms = informers().informer(ConfigMaps);
    const phases: string[] = [];
    subscriptions.push(cms.health$.subscribe((h) => phases.push(h.phase)));
    subscriptions.push(cms.start());
    const started = Date.now();
    await cms.synced;
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(phases).toContain('backoff');
    expect(cms.health.lastError?.message).toMatch(/429/);
  });

  it('surfaces 403 at once as a typed error naming verb, resource and namespace', async () => {
    server.faults.failNext(
      5,
      { code: 403, message: 'configmaps is forbidden: User "x" cannot watch resource' },
      { resource: ConfigMaps },
    );
    const cms = informers().informer(ConfigMaps, { namespace: 'shop' });
    const error = await new Promise<unknown>((resolve) =>
      subscriptions.push(cms.events$.subscribe({ error: resolve })),
    );
    expect(error).toBeInstanceOf(ForbiddenError);
    expect((error as Error).message).toMatch(/^(watch|list) configmaps in namespace "shop": 403 Forbidden/);
    expect((error as Error).message).not.toContain(server.token);
    await expect(cms.synced).rejects.toBeInstanceOf(ForbiddenError);
    expect(server.requests.filter((r) => r.resource === 'configmaps')).toHaveLength(1);
  });

  it('fails with typed errors for an unknown resource and an invalid selector', async () => {
    const f = informers();
    const Missing = defineResource({
      group: 'example.com',
      version: 'v1',
      plural: 'widgets',
      kind: 'Widget',
      namespaced: true,
    });
    await expect(firstValueFrom(f.informer(Missing).events$)).rejects.toBeInstanceOf(ResourceNotFoundError);
    await expect(
      firstValueFrom(f.informer(ConfigMaps, { labelSelector: 'app in (' }).events$),
    ).rejects.toBeInstanceOf(InvalidRequestError);
  });

  it('replays the cache to a late subscriber, then live events', async () => {
    for (const n of ['a', 'b']) server.create(ConfigMaps, configMap(n));
    const cms = informers().informer(ConfigMaps, { namespace: 'shop' });
    subscriptions.push(cms.start());
    await cms.synced;
    const late: InformerEvent[] = [];
    subscriptions.push(cms.events$.subscribe(collect(late)));
    server.create(ConfigMaps, configMap('c'));
    await until(late, (e) => e.type === 'ADDED' && !e.initial);
    expect(names(late)).toEqual(['ADDED a', 'ADDED b', 'SYNCED', 'ADDED c']);
    expect(late.slice(0, 2).every((e) => e.type === 'ADDED' && e.initial)).toBe(true);
  });

  it('caches a 5 MB object and survives a line cut mid-way and a malformed line', async () => {
    const cms = informers({ reflector: { watchList: 'never' } }).informer(ConfigMaps, { namespace: 'shop' });
    const events: InformerEvent[] = [];
    const errors: unknown[] = [];
    subscriptions.push(cms.events$.subscribe(collect(events)));
    subscriptions.push(cms.health$.subscribe((h) => h.lastError && errors.push(h.lastError)));
    await cms.synced;
    server.faults.cutNextWatchLine();
    server.create(ConfigMaps, configMap('cut'));
    server.faults.sendMalformedWatchLine();
    server.create(ConfigMaps, configMap('after-malformed'));
    // ConfigMaps cap at 1 MiB on real servers, but the simulator takes a 5 MB one to test framing.
    const big = 'x'.repeat(5 * 1024 * 1024);
    server.create(ConfigMaps, configMap('big', { big }));
    await until(events, (e) => e.type === 'ADDED' && e.object.metadata?.name === 'big');
    expect(cms.store.get('shop/cut')).toBeDefined();
    expect(cms.store.get('shop/after-malformed')).toBeDefined();
    expect((cms.store.get('shop/big') as { data: { big: string } }).data.big).toHaveLength(big.length);
    expect(errors.some((e) => e instanceof DecodeError)).toBe(true);
    expect(cms.health.relists).toBe(0);
  });

  it('caches PartialObjectMetadata for a metadata-only informer, narrowed by selectors', async () => {
    server.create(ConfigMaps, configMap('web-1', { secretish: 'value' }));
    server.create(ConfigMaps, {
      metadata: { name: 'db-1', namespace: 'shop', labels: { app: 'db' } },
      data: {},
    });
    const cms = informers().informer(ConfigMaps, {
      metadataOnly: true,
      labelSelector: 'app=web',
      fieldSelector: 'metadata.namespace=shop',
    });
    const items = await firstValueFrom(cms.items$);
    expect(items.map(objectKey)).toEqual(['shop/web-1']);
    expect(items[0]).not.toHaveProperty('data');
    expect(items[0]!.kind).toBe('PartialObjectMetadata');
  });

  it('indexes the store and keeps index results current', async () => {
    const pod = (name: string, node: string) => ({
      metadata: { name, namespace: 'shop' },
      spec: { nodeName: node, containers: [] },
    });
    server.create(Pods, pod('p1', 'n1'));
    server.create(Pods, pod('p2', 'n2'));
    const pods = informers().informer(Pods, {
      indexers: { byNode: (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []) },
    });
    const events: InformerEvent[] = [];
    subscriptions.push(pods.events$.subscribe(collect(events)));
    await pods.synced;
    expect(pods.store.byIndex('byNode', 'n1').map(objectKey)).toEqual(['shop/p1']);
    server.patch(Pods, 'p2', { spec: { nodeName: 'n1' } }, { namespace: 'shop' });
    await until(events, (e) => e.type === 'MODIFIED');
    expect(pods.store.byIndex('byNode', 'n1').map(objectKey).sort()).toEqual(['shop/p1', 'shop/p2']);
    expect(pods.store.byIndex('namespace', 'shop')).toHaveLength(2);
    expect(() => pods.store.byIndex('nope', 'x')).toThrow(RangeError);
  });

  it('shutdown completes every stream and closes every watch', async () => {
    const f = informers();
    const cms = f.informer(ConfigMaps);
    const done = firstValueFrom(cms.events$.pipe(toArray()));
    await cms.synced;
    await server.waitForWatches(1, { resource: ConfigMaps });
    f.shutdown();
    await done;
    for (let i = 0; i < 100 && server.watchCount({ resource: ConfigMaps }) > 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(server.watchCount({ resource: ConfigMaps })).toBe(0);
  });

  it('waitForCacheSync resolves once every informer has synced', async () => {
    server.create(Pods, { metadata: { name: 'p', namespace: 'a' } });
    const f = informers();
    const pods = f.informer(Pods);
    const cms = f.informer(ConfigMaps);
    subscriptions.push(pods.start(), cms.start());
    await f.waitForCacheSync([pods, cms]);
    expect(pods.health.synced && cms.health.synced).toBe(true);
    expect(pods.store.size).toBe(1);
    const sizes = await firstValueFrom(pods.items$.pipe(take(1)));
    expect(sizes).toHaveLength(1);
  });
});
