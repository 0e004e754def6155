import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CoreV1Api, KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import { startKubeApiServer, type KubeApiServer } from '@rxinformer/kube-apiserver-harness';
import {
  ConfigMaps,
  ExpiredError,
  ForbiddenError,
  Pods,
  Secrets,
  createInformerFactory,
  defineResource,
  objectKey,
  type InformerEvent,
  type InformerFactory,
  type KubeObject,
  type ReflectorOptions,
  type Wire,
} from '@rxinformer/core';
import type { Subscription } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCuttableProxy, type CuttableProxy } from './support/cuttable-proxy.js';
import { eventName, eventually, record, uniqueName } from './support/informer-helpers.js';

// @rxinformer/core against a real kube-apiserver + etcd (one instance for the file).
let kube: KubeApiServer;
let kc: KubeConfig;
let proxy: CuttableProxy;
const factories: InformerFactory[] = [];
const subscriptions: Subscription[] = [];

beforeAll(async () => {
  // kube-apiserver otherwise keeps open watches through its graceful shutdown until start.sh
  // kills it 15 s later; with a grace period it ends them and restarts in seconds.
  kube = await startKubeApiServer({ apiServerArgs: ['--shutdown-watch-termination-grace-period=2s'] });
  kc = new KubeConfig();
  kc.loadFromFile(kube.kubeconfigPath);
  const keyPem = await readFile(path.join(kube.kubeDir, 'pki', 'apiserver.key'), 'utf8');
  proxy = await startCuttableProxy({ upstream: kube.server, caPem: kube.caPem, keyPem });
}, 180_000);
afterEach(() => {
  subscriptions.splice(0).forEach((s) => s.unsubscribe());
  factories.splice(0).forEach((f) => f.shutdown());
  proxy.restore();
});
afterAll(async () => {
  await proxy?.close();
  await kube?.stop();
});

function informers(kubeConfig: KubeConfig = kc, reflector: ReflectorOptions = {}): InformerFactory {
  // Short backoff: outages in these tests last seconds, and the schedule is unit-tested elsewhere.
  const factory = createInformerFactory({
    kubeConfig,
    lingerMs: 0,
    reflector: { backoff: { initialMs: 100, maxMs: 1000 }, ...reflector },
  });
  factories.push(factory);
  return factory;
}

async function namespace(prefix: string): Promise<string> {
  const ns = uniqueName(prefix);
  await kube.kubectl(['create', 'namespace', ns]);
  return ns;
}

const configMapYaml = (
  ns: string,
  name: string,
  labels: Record<string, string> = {},
  data: Record<string, string> = { k: 'v' },
) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels }, data });

/** name → resourceVersion of what `kubectl get -o json` shows: the server's truth. */
async function kubectlState(resource: string, ns: string): Promise<Record<string, string>> {
  const { stdout } = await kube.kubectl(['get', resource, '-n', ns, '-o', 'json']);
  const items = (JSON.parse(stdout) as { items: KubeObject[] }).items;
  return Object.fromEntries(items.map((i) => [i.metadata!.name!, i.metadata!.resourceVersion!]));
}

const storeState = (objects: readonly KubeObject[]) =>
  Object.fromEntries(objects.map((o) => [o.metadata!.name!, o.metadata!.resourceVersion!]));

/** Replays informer events onto a map: what a consumer of `events$` alone would believe. */
function replay(events: readonly InformerEvent[]): Record<string, string> {
  const state = new Map<string, string>();
  for (const e of events) {
    if (e.type === 'ADDED' || e.type === 'MODIFIED')
      state.set(e.object.metadata!.name!, e.object.metadata!.resourceVersion!);
    if (e.type === 'DELETED') state.delete(e.object.metadata!.name!);
  }
  return Object.fromEntries([...state].sort());
}

const sorted = (record: Record<string, string>) => Object.fromEntries(Object.entries(record).sort());

describe('informers on kube-apiserver', () => {
  it('syncs pods and configmaps created with kubectl', async () => {
    const ns = await namespace('e2e-sync');
    const pod = (name: string) =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: ns, labels: { app: 'web' } },
        spec: { containers: [{ name: 'c', image: 'registry.invalid/web:1' }] },
      });
    await kube.apply(
      [
        pod('web-1'),
        pod('web-2'),
        configMapYaml(ns, 'a'),
        configMapYaml(ns, 'b'),
        configMapYaml(ns, 'c'),
      ].join('\n---\n'),
    );
    const factory = informers();
    const pods = factory.informer(Pods, { namespace: ns });
    const cms = factory.informer(ConfigMaps, { namespace: ns });
    subscriptions.push(pods.start(), cms.start());
    await factory.waitForCacheSync([pods, cms]);
    expect(storeState(pods.store.list())).toEqual(await kubectlState('pods', ns));
    expect(storeState(cms.store.list())).toEqual(await kubectlState('configmaps', ns));
    expect(pods.store.list().map(objectKey).sort()).toEqual([`${ns}/web-1`, `${ns}/web-2`]);
    const webPod = pods.store.get(`${ns}/web-1`);
    expect(webPod?.kind).toBe('Pod');
    expect(webPod?.spec?.containers[0]?.image).toBe('registry.invalid/web:1');
    expect(webPod?.metadata?.managedFields).toBeUndefined(); // stripped by default
    expect(pods.health).toMatchObject({ phase: 'watching', synced: true, relists: 0 });
  });

  it('informs on a custom resource, by descriptor and through discovery', async () => {
    const ns = await namespace('e2e-crd');
    await kube.apply(`
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: widgets.e2e.rxinformer.dev }
spec:
  group: e2e.rxinformer.dev
  scope: Namespaced
  names: { plural: widgets, singular: widget, kind: Widget, shortNames: [wdg] }
  versions:
    - name: v1
      served: true
      storage: true
      schema: { openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true } }
`);
    await kube.kubectl([
      'wait',
      '--for=condition=Established',
      'crd/widgets.e2e.rxinformer.dev',
      '--timeout=60s',
    ]);
    const widget = (name: string, size: number) =>
      JSON.stringify({
        apiVersion: 'e2e.rxinformer.dev/v1',
        kind: 'Widget',
        metadata: { name, namespace: ns },
        spec: { size },
      });
    await kube.apply(`${widget('w1', 1)}\n---\n${widget('w2', 2)}`);

    interface Widget extends KubeObject {
      spec?: { size?: number };
    }
    const Widgets = defineResource<Widget>({
      group: 'e2e.rxinformer.dev',
      version: 'v1',
      plural: 'widgets',
      kind: 'Widget',
      namespaced: true,
    });
    const byDescriptor = informers().informer(Widgets, { namespace: ns });
    const log = record(byDescriptor);
    subscriptions.push(log.subscription);
    await byDescriptor.synced;
    expect(
      byDescriptor.store.list().map((w) => [w.metadata?.name, w.spec?.size, w.metadata?.generation]),
    ).toEqual([
      ['w1', 1, 1],
      ['w2', 2, 1],
    ]);

    const other = informers();
    const Discovered = await other.discover<Widget>({ apiVersion: 'e2e.rxinformer.dev/v1', kind: 'Widget' });
    expect(Discovered).toMatchObject({
      group: 'e2e.rxinformer.dev',
      version: 'v1',
      plural: 'widgets',
      kind: 'Widget',
      namespaced: true,
      singular: 'widget',
      shortNames: ['wdg'],
    });
    const byDiscovery = other.informer(Discovered, { namespace: ns });
    const discoveredLog = record(byDiscovery);
    subscriptions.push(discoveredLog.subscription);
    await byDiscovery.synced;
    expect(storeState(byDiscovery.store.list())).toEqual(storeState(byDescriptor.store.list()));

    await kube.kubectl(['patch', 'widget', 'w1', '-n', ns, '--type=merge', '-p', '{"spec":{"size":5}}']);
    for (const l of [log, discoveredLog]) {
      const modified = await l.until((e) => e.type === 'MODIFIED', 'MODIFIED w1');
      expect(
        modified.type === 'MODIFIED' && [
          modified.object.spec?.size,
          modified.previous.spec?.size,
          modified.object.metadata?.generation,
        ],
      ).toEqual([5, 1, 2]);
    }
  });

  it('delivers ADDED, MODIFIED and DELETED for changes made with kubectl and with client-node', async () => {
    const ns = await namespace('e2e-events');
    const cms = informers().informer(ConfigMaps, { namespace: ns });
    const log = record(cms);
    subscriptions.push(log.subscription);
    await cms.synced;

    await kube.kubectl(['create', 'configmap', 'by-kubectl', '-n', ns, '--from-literal=v=1']);
    await kube.kubectl(['label', 'configmap', 'by-kubectl', '-n', ns, 'tier=front']);
    await kube.kubectl(['delete', 'configmap', 'by-kubectl', '-n', ns]);
    const core = kc.makeApiClient(CoreV1Api);
    const created = await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'by-client' }, data: { v: '1' } },
    });
    await core.replaceNamespacedConfigMap({
      name: 'by-client',
      namespace: ns,
      body: { ...created, data: { v: '2' } },
    });
    await core.deleteNamespacedConfigMap({ name: 'by-client', namespace: ns });
    await log.until(
      (e) => e.type === 'DELETED' && e.object.metadata?.name === 'by-client',
      'DELETED by-client',
    );

    expect(log.names()).toEqual([
      'SYNCED',
      'ADDED by-kubectl',
      'MODIFIED by-kubectl',
      'DELETED by-kubectl',
      'ADDED by-client',
      'MODIFIED by-client',
      'DELETED by-client',
    ]);
    const [, added, labelled, deleted, , replaced] = log.events as InformerEvent<Wire<V1ConfigMap>>[];
    expect(added?.type === 'ADDED' && added.initial).toBe(false);
    expect(
      labelled?.type === 'MODIFIED' && [labelled.previous.metadata?.labels, labelled.object.metadata?.labels],
    ).toEqual([undefined, { tier: 'front' }]);
    expect(deleted?.type === 'DELETED' && deleted.finalStateUnknown).toBe(false);
    expect(
      replaced?.type === 'MODIFIED' && [replaced.previous.data?.['v'], replaced.object.data?.['v']],
    ).toEqual(['1', '2']);
    expect(cms.store.size).toBe(0);
  });

  it('streams the initial list (sendInitialEvents, no LIST) and records its initial-events-end bookmark', async () => {
    const ns = await namespace('e2e-watchlist');
    await kube.apply([configMapYaml(ns, 'a'), configMapYaml(ns, 'b')].join('\n---\n'));
    const cms = informers(proxy.kubeConfigFor(kc)).informer(ConfigMaps, { namespace: ns });
    subscriptions.push(cms.start());
    await cms.synced;
    const calls = proxy.requests.filter((r) => r.path === `/api/v1/namespaces/${ns}/configmaps`);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.query).toMatchObject({
      watch: '1',
      sendInitialEvents: 'true',
      resourceVersionMatch: 'NotOlderThan',
      allowWatchBookmarks: 'true',
    });
    expect(calls[0]!.query.resourceVersion).toBeUndefined();
    expect(cms.store.size).toBe(2);
    expect(cms.health.lastBookmarkAt).toEqual(expect.any(Number));
    expect(cms.health.relists).toBe(0);
  });

  it('resumes a cut watch from the bookmarked resourceVersion without relisting', async () => {
    const ns = await namespace('e2e-resume');
    await kube.apply(configMapYaml(ns, 'a'));
    const cms = informers(proxy.kubeConfigFor(kc)).informer(ConfigMaps, { namespace: ns });
    const log = record(cms);
    subscriptions.push(log.subscription);
    await cms.synced;
    // The only resourceVersion the informer has is the initial-events-end bookmark's.
    const bookmarked = cms.health.resourceVersion;
    expect(bookmarked).toEqual(expect.any(String));
    expect(proxy.cutAll()).toBeGreaterThan(0);
    await kube.apply(configMapYaml(ns, 'after-cut'));
    await log.until((e) => e.type === 'ADDED' && e.object.metadata?.name === 'after-cut', 'ADDED after-cut');

    const calls = proxy.requests.filter((r) => r.path === `/api/v1/namespaces/${ns}/configmaps`);
    expect(calls.every((r) => r.query.watch === '1')).toBe(true); // no LIST at all
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls[1]!.query).toMatchObject({ resourceVersion: bookmarked, allowWatchBookmarks: 'true' });
    expect(calls[1]!.query.sendInitialEvents).toBeUndefined();
    expect(log.names()).toEqual(['ADDED a', 'SYNCED', 'ADDED after-cut']);
    expect(cms.health.relists).toBe(0);
    expect(cms.health.restarts).toBeGreaterThanOrEqual(1);
  });

  it('gets bookmarks before a short watch times out, and reopens it from the bookmarked resourceVersion', async () => {
    const ns = await namespace('e2e-bookmark');
    await kube.apply(configMapYaml(ns, 'a'));
    // kube-apiserver sends a bookmark 2 s before a watch's deadline (and about once a minute).
    const cms = informers(proxy.kubeConfigFor(kc), {
      watchList: 'never',
      watchTimeoutSeconds: [4, 4],
    }).informer(ConfigMaps, { namespace: ns });
    subscriptions.push(cms.start());
    await cms.synced;
    const listed = cms.health.resourceVersion;
    await kube.apply(configMapYaml(await namespace('e2e-elsewhere'), 'moves-the-revision'));
    await eventually(
      () => cms.health.lastBookmarkAt !== undefined && cms.health.resourceVersion !== listed,
      'a bookmark moved the resourceVersion',
      20_000,
    );
    const bookmarked = cms.health.resourceVersion;
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const watches = () => proxy.requests.filter((r) => r.path === path && r.query.watch === '1');
    await eventually(
      () => watches().some((w) => w.query.resourceVersion === bookmarked),
      'a watch was reopened from the bookmark',
      20_000,
    );
    expect(watches()[0]?.query).toMatchObject({
      resourceVersion: listed,
      timeoutSeconds: '4',
      allowWatchBookmarks: 'true',
    });
    expect(proxy.requests.filter((r) => r.path === path && r.query.watch === undefined)).toHaveLength(1); // the first LIST only
    expect(cms.health).toMatchObject({ relists: 0, lastReason: 'watch closed' });
    expect(cms.health.restarts).toBeGreaterThanOrEqual(1);
  });

  it('re-watches at once after a watch times out and after a cut connection: no backoff for either', async () => {
    const ns = await namespace('e2e-rewatch');
    // A backoff of a minute: a re-watch that waited for it would miss every deadline below.
    const factory = createInformerFactory({
      kubeConfig: proxy.kubeConfigFor(kc),
      lingerMs: 0,
      reflector: {
        watchList: 'never',
        watchTimeoutSeconds: [2, 2],
        backoff: { initialMs: 60_000, maxMs: 60_000 },
      },
    });
    factories.push(factory);
    const cms = factory.informer(ConfigMaps, { namespace: ns });
    subscriptions.push(cms.start());
    await cms.synced;
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const watches = () => proxy.requests.filter((r) => r.path === path && r.query.watch === '1');
    await eventually(() => watches().length >= 3, 'two watches re-opened after their 2 s timeout', 15_000);
    expect(cms.health).toMatchObject({ phase: 'watching', attempt: 0, lastReason: 'watch closed' });
    const before = watches().length;
    expect(proxy.cutAll()).toBeGreaterThan(0);
    await eventually(() => watches().length > before, 'a watch re-opened after the cut', 5_000);
    await kube.apply(configMapYaml(ns, 'after-cut'));
    await eventually(() => cms.store.has(`${ns}/after-cut`), 'the change after the cut arrived', 5_000);
    expect(proxy.requests.filter((r) => r.path === path && r.query.watch === undefined)).toHaveLength(1);
  });

  it('relists after 410 (compaction) and reports objects deleted meanwhile as DELETED finalStateUnknown', async () => {
    const ns = await namespace('e2e-expired');
    await kube.apply(['a', 'b', 'c', 'd', 'e'].map((n) => configMapYaml(ns, n)).join('\n---\n'));
    const cms = informers(proxy.kubeConfigFor(kc), { watchList: 'never', pageSize: 2 }).informer(ConfigMaps, {
      namespace: ns,
    });
    const log = record(cms);
    subscriptions.push(log.subscription);
    await cms.synced;
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const lists = () => proxy.requests.filter((r) => r.path === path && r.query.watch === undefined);
    // resourceVersion=0 is served from the watch cache, which ignores `limit`: one page of 5.
    expect(lists().map((r) => [r.query.limit, r.query.resourceVersion])).toEqual([['2', '0']]);

    proxy.block(); // the informer is cut off while everything below happens
    await kube.kubectl(['delete', 'configmap', 'b', 'c', '-n', ns]);
    await kube.kubectl(['label', 'configmap', 'd', '-n', ns, 'changed=yes']);
    await kube.apply(configMapYaml(ns, 'f'));
    await kube.compactEtcd();
    await kube.restartApiServer(); // a restarted watch cache makes every older resourceVersion 410
    const before = log.events.length;
    proxy.restore();

    await log.until((e) => e.type === 'ADDED' && e.object.metadata?.name === 'f', 'ADDED f');
    const after = log.events.slice(before);
    expect(after.map(eventName).sort()).toEqual(['ADDED f', 'DELETED b', 'DELETED c', 'MODIFIED d']);
    for (const e of after) if (e.type === 'DELETED') expect(e.finalStateUnknown).toBe(true);
    expect(cms.health.relists).toBe(1);
    expect(cms.health.lastError).toBeInstanceOf(ExpiredError);
    // client-go's rule: after a 410 the relist is a consistent read (no resourceVersion=0).
    // client-go's rule: after a 410 the relist is a consistent read (no resourceVersion), which
    // etcd pages: 4 objects in pages of 2.
    const relist = lists().slice(1);
    expect(
      relist.map((r) => [r.query.limit, r.query.resourceVersion, r.query.continue === undefined]),
    ).toEqual([
      ['2', undefined, true],
      ['2', undefined, false],
    ]);
    expect(sorted(storeState(cms.store.list()))).toEqual(sorted(await kubectlState('configmaps', ns)));
  });

  // The reflector once built errors from watch ERROR events with the informer's 'list' context,
  // so a 410 sent on a WATCH said "list ..." (found here and by core's bad-input corpus).
  it('names the verb of a 410 that arrived as a watch ERROR event "watch"', async () => {
    const ns = await namespace('e2e-verb');
    await kube.apply(configMapYaml(ns, 'a'));
    const cms = informers(proxy.kubeConfigFor(kc), { watchList: 'never' }).informer(ConfigMaps, {
      namespace: ns,
    });
    subscriptions.push(cms.start());
    await cms.synced;
    proxy.block();
    await kube.restartApiServer(); // every older resourceVersion is now 410 on a watch
    const from = proxy.requests.length;
    proxy.restore();
    await eventually(() => cms.health.lastError instanceof ExpiredError, 'the informer saw the 410');
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    // The 410 came from the WATCH (HTTP 200 + ERROR event), not from a LIST.
    expect(proxy.requests.slice(from).find((r) => r.path === path)?.query.watch).toBe('1');
    expect(cms.health.lastError).toMatchObject({ code: 410, verb: 'watch' });
  });

  it('converges without loss across a kube-apiserver restart', async () => {
    const ns = await namespace('e2e-restart');
    await kube.apply(['a', 'b', 'c'].map((n) => configMapYaml(ns, n)).join('\n---\n'));
    const cms = informers().informer(ConfigMaps, { namespace: ns });
    const log = record(cms);
    subscriptions.push(log.subscription);
    await cms.synced;

    await kube.apply(configMapYaml(ns, 'just-before'));
    await kube.restartApiServer();
    await kube.kubectl(['delete', 'configmap', 'a', '-n', ns]);
    await kube.kubectl(['label', 'configmap', 'b', '-n', ns, 'changed=yes']);
    await kube.apply(configMapYaml(ns, 'after'));

    const truth = sorted(await kubectlState('configmaps', ns));
    await eventually(
      () => JSON.stringify(sorted(storeState(cms.store.list()))) === JSON.stringify(truth),
      'the store equals kubectl get -o json',
    );
    expect(replay(log.events)).toEqual(truth); // the events alone tell the same story
    expect(cms.health.restarts + cms.health.relists).toBeGreaterThanOrEqual(1);
    expect(cms.health.phase).toBe('watching');
  });

  it('caches PartialObjectMetadata for a metadata-only informer', async () => {
    const ns = await namespace('e2e-meta');
    await kube.apply(configMapYaml(ns, 'm', { app: 'web' }, { secretish: 'value' }));
    const cms = informers().informer(ConfigMaps, { namespace: ns, metadataOnly: true });
    const log = record(cms);
    subscriptions.push(log.subscription);
    await cms.synced;
    const item = cms.store.get(`${ns}/m`);
    expect(item).toMatchObject({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { name: 'm', labels: { app: 'web' } },
    });
    expect(item).not.toHaveProperty('data');
    await kube.kubectl(['label', 'configmap', 'm', '-n', ns, 'tier=back']);
    const modified = await log.until((e) => e.type === 'MODIFIED', 'MODIFIED m');
    expect(modified.type === 'MODIFIED' && modified.object).toMatchObject({
      kind: 'PartialObjectMetadata',
      metadata: { labels: { app: 'web', tier: 'back' } },
    });
    expect(modified.type === 'MODIFIED' && modified.object).not.toHaveProperty('data');
  });

  it('narrows by label and field selectors, and follows objects in and out of them', async () => {
    const ns = await namespace('e2e-select');
    await kube.apply(
      [
        configMapYaml(ns, 'web-1', { app: 'web' }),
        configMapYaml(ns, 'web-2', { app: 'web' }),
        configMapYaml(ns, 'db-1', { app: 'db' }),
      ].join('\n---\n'),
    );
    const cms = informers().informer(ConfigMaps, {
      namespace: ns,
      labelSelector: 'app=web',
      fieldSelector: 'metadata.name!=web-2',
    });
    const log = record(cms);
    subscriptions.push(log.subscription);
    await cms.synced;
    expect(cms.store.list().map((o) => o.metadata?.name)).toEqual(['web-1']);
    await kube.kubectl(['label', 'configmap', 'web-1', '-n', ns, 'app=db', '--overwrite']);
    await kube.kubectl(['label', 'configmap', 'db-1', '-n', ns, 'app=web', '--overwrite']);
    await log.until((e) => e.type === 'ADDED' && e.object.metadata?.name === 'db-1', 'ADDED db-1');
    expect(log.names()).toEqual(['ADDED web-1', 'SYNCED', 'DELETED web-1', 'ADDED db-1']);
    const left = log.events[2]!;
    expect(left.type === 'DELETED' && left.finalStateUnknown).toBe(false);
    expect(cms.store.list().map((o) => o.metadata?.name)).toEqual(['db-1']);
  });

  it('surfaces RBAC denials as ForbiddenError naming the verb', async () => {
    const limited = new KubeConfig();
    limited.loadFromFile(kube.limitedKubeconfigPath);
    const ns = await namespace('e2e-rbac');
    // `limited` may list configmaps but not watch them: the LIST works, the WATCH is refused.
    const listing = informers(limited, { watchList: 'never' }).informer(ConfigMaps, { namespace: ns });
    const listingLog = record(listing);
    subscriptions.push(listingLog.subscription);
    const watchError = await listingLog.error;
    expect(watchError).toBeInstanceOf(ForbiddenError);
    expect(watchError).toMatchObject({
      verb: 'watch',
      code: 403,
      reason: 'Forbidden',
      context: { resource: 'configmaps', namespace: ns },
    });
    expect((watchError as Error).message).toMatch(/cannot watch resource "configmaps"/);
    expect(listingLog.names()).toEqual(['SYNCED']); // the list itself was allowed

    // Streaming lists are watches: refused with the same typed error, not mistaken for "unsupported".
    const streaming = informers(limited).informer(ConfigMaps, { namespace: ns });
    const streamingLog = record(streaming);
    subscriptions.push(streamingLog.subscription);
    expect(await streamingLog.error).toMatchObject({ name: 'ForbiddenError', verb: 'watch' });

    // Nothing at all on secrets.
    const secrets = informers(limited, { watchList: 'never' }).informer(Secrets, { namespace: ns });
    subscriptions.push(secrets.start());
    const secretsError = await secrets.synced.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(secretsError).toBeInstanceOf(ForbiddenError);
    expect(secretsError).toMatchObject({ verb: 'list', context: { resource: 'secrets' } });
    expect(secrets.health.phase).toBe('failed');
  });
});
