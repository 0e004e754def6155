// Read-your-writes over informers of a fake cluster, in virtual time: a stalled ConfigMap watch
// holds the controller's own writes out of the cache, and every reconcile is recorded at
// `scheduler.now()`, so the held key's run (at the release, or at the deadline) is exact.
import { Registry } from 'prom-client';
import { VirtualAction, VirtualTimeScheduler } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConfigMaps,
  ConflictError,
  Deployments,
  createInformerFactory,
  type InformerFactory,
  type KubeObject,
  type LogFn,
  type Logger,
} from '@rxinformer/core';
import { advance, createFakeCluster, type FakeCluster } from '@rxinformer/testing';
import { controller, type Controller, type ReconcileRequest } from '@rxinformer/controller';

let scheduler: VirtualTimeScheduler;
let cluster: FakeCluster;
let factory: InformerFactory<undefined>;
let running: Controller | undefined;

beforeEach(() => {
  scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
  cluster = createFakeCluster({ scheduler });
  factory = createInformerFactory({ source: cluster, scheduler, random: () => 0, lingerMs: 0 });
});
afterEach(async () => {
  if (running) {
    const stopped = running.stop();
    await advance(scheduler, 0);
    await stopped;
  }
  running = undefined;
  factory.shutdown();
  await advance(scheduler, 0);
  expect(scheduler.actions.map((a) => a.delay)).toEqual([]); // no timer outlives the controller
});

const deployment = (name: string, version: string) => ({
  metadata: { name, namespace: 'shop', annotations: { version } },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
  },
});

interface Seen {
  /** Virtual time the reconcile ran at. */
  readonly at: number;
  readonly version: string | undefined;
  readonly childInCache: boolean;
  readonly outcome: 'created' | 'updated' | 'already exists' | 'conflict';
}

/**
 * A Deployment's reconcile that writes a ConfigMap `<name>-child` holding the Deployment's
 * version annotation: created when the cache has none, else replaced at the cached version.
 */
function childWriter(seen: Seen[], configMaps: ReturnType<InformerFactory<undefined>['informer']>) {
  return async ({ object, name, client, signal }: ReconcileRequest<KubeObject>) => {
    if (!object) return;
    const at = scheduler.now();
    const version = object.metadata?.annotations?.['version'];
    const cached = configMaps.store.get(`shop/${name}-child`) as {
      data?: Record<string, string>;
    } & KubeObject;
    if (cached?.data?.['version'] === version) return; // converged
    const child = client.resource(ConfigMaps, { namespace: 'shop' });
    const owner = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name,
      uid: object.metadata?.uid ?? '',
      controller: true,
    };
    const body = {
      metadata: {
        name: `${name}-child`,
        ownerReferences: [owner],
        ...(cached?.metadata?.resourceVersion ? { resourceVersion: cached.metadata.resourceVersion } : {}),
      },
      data: { version: version ?? '' },
    };
    try {
      if (cached) await child.update(body, { signal });
      else await child.create(body, { signal });
      seen.push({ at, version, childInCache: !!cached, outcome: cached ? 'updated' : 'created' });
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      seen.push({
        at,
        version,
        childInCache: !!cached,
        outcome: e.alreadyExists ? 'already exists' : 'conflict',
      });
    }
  };
}

function recordingLogger(lines: { level: string; message: string; fields: object }[]): Logger {
  const at =
    (level: string): LogFn =>
    (fields: object, message?: string) =>
      void lines.push({ level, message: message ?? '', fields });
  const logger: Logger = {
    trace: at('trace'),
    fatal: at('fatal'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return logger;
}

/**
 * Runs one scenario: the ConfigMap watch is held silent (events queue up at the cluster), the
 * Deployment changes twice at virtual time 0, and the watch resumes at `releaseAfterMs`.
 */
async function twoChangesWhileTheWatchIsSilent(options: {
  readYourWrites: boolean | { timeoutMs: number };
  releaseAfterMs: number;
  registry?: Registry;
  logger?: Logger;
}): Promise<Seen[]> {
  cluster.create(Deployments, deployment('web', 'v0'));
  const deployments = factory.informer(Deployments, { namespace: 'shop' });
  const configMaps = factory.informer(ConfigMaps, { namespace: 'shop' });
  const seen: Seen[] = [];
  running = controller({
    name: 'child-writer',
    for: deployments,
    owns: [configMaps],
    watches: [],
    reconcile: childWriter(seen, configMaps),
    readYourWrites: options.readYourWrites,
    scheduler,
    ...(options.registry ? { registry: options.registry } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  running.start();
  await advance(scheduler, 0);
  expect(seen.map((s) => `${s.at}: ${s.version}`)).toEqual(['0: v0']);
  expect(configMaps.store.has('shop/web-child')).toBe(true);

  const silence = cluster.faults.stallWatches({ resource: ConfigMaps });
  cluster.patch(Deployments, 'web', { metadata: { annotations: { version: 'v1' } } }, { namespace: 'shop' });
  await advance(scheduler, 0);
  expect(seen.map((s) => `${s.at}: ${s.version}`)).toEqual(['0: v0', '0: v1']);
  // The reconcile of v1 wrote the child; the cache cannot show it while the watch is silent.
  cluster.patch(Deployments, 'web', { metadata: { annotations: { version: 'v2' } } }, { namespace: 'shop' });
  await advance(scheduler, options.releaseAfterMs);
  silence.cancel();
  await advance(scheduler, 0);
  expect(cluster.get(ConfigMaps, 'web-child', 'shop').data).toEqual({ version: 'v2' });
  return seen;
}

describe('read-your-writes in the controller, in virtual time over a fake cluster', () => {
  it("holds a key back until the caches show its last reconcile's writes: no 409 from a stale cache", async () => {
    const seen = await twoChangesWhileTheWatchIsSilent({ readYourWrites: true, releaseAfterMs: 500 });
    expect(seen.map((s) => s.outcome)).toEqual(['created', 'updated', 'updated']);
    expect(seen.map((s) => s.version)).toEqual(['v0', 'v1', 'v2']);
    // v2 was held back exactly until the watch resumed at 500 ms.
    expect(seen.map((s) => s.at)).toEqual([0, 0, 500]);
  });

  it('with readYourWrites off, the next reconcile acts on the stale cache and gets a 409', async () => {
    const seen = await twoChangesWhileTheWatchIsSilent({ readYourWrites: false, releaseAfterMs: 500 });
    expect(seen.map((s) => s.outcome)).toContain('conflict');
    // Nothing held v2 back: it ran at once, on the stale cache.
    expect(seen.find((s) => s.outcome === 'conflict')).toMatchObject({
      at: 0,
      version: 'v2',
      childInCache: true,
    });
  });

  it('goes on after the deadline, with a warning naming the writes and a metric', async () => {
    const registry = new Registry();
    const lines: { level: string; message: string; fields: object }[] = [];
    const seen = await twoChangesWhileTheWatchIsSilent({
      readYourWrites: { timeoutMs: 200 },
      releaseAfterMs: 2_000,
      registry,
      logger: recordingLogger(lines),
    });
    // v2 ran while the watch was still silent: after the 200 ms deadline, not after the release.
    const v2 = seen.findIndex((s) => s.version === 'v2');
    expect(v2).toBeGreaterThan(0);
    expect(seen[v2]?.childInCache).toBe(true);
    expect(seen[v2]?.outcome).toBe('conflict');
    expect(seen[v2]?.at).toBe(200); // exactly at the deadline after v1's write at 0
    expect(scheduler.now()).toBe(2_000);
    const warning = lines.find(
      (l) => l.level === 'warn' && /did not show this reconcile's writes/.test(l.message),
    );
    expect(warning?.fields).toMatchObject({ key: 'shop/web', timeoutMs: 200 });
    expect(JSON.stringify(warning?.fields)).toContain('configmaps shop/web-child');
    const timeouts = await registry
      .getSingleMetric('rxinformer_controller_write_visibility_timeouts_total')
      ?.get();
    expect(timeouts?.values[0]?.value).toBe(1);
  });

  it('waits for a deletion made through the request client before the next reconcile', async () => {
    cluster.create(Deployments, deployment('web', 'v0'));
    cluster.create(ConfigMaps, { metadata: { name: 'web-child', namespace: 'shop' }, data: {} });
    const deployments = factory.informer(Deployments, { namespace: 'shop' });
    const configMaps = factory.informer(ConfigMaps, { namespace: 'shop' });
    const sawChild: boolean[] = [];
    const at: number[] = [];
    running = controller({
      name: 'deleter',
      for: deployments,
      owns: [configMaps],
      scheduler,
      reconcile: async ({ name, client, object }) => {
        const cached = configMaps.store.get(`shop/${name}-child`);
        sawChild.push(!!cached);
        at.push(scheduler.now());
        if (object?.metadata?.annotations?.['version'] === 'v1' && cached)
          await client.resource(ConfigMaps, { namespace: 'shop' }).delete(cached);
      },
    });
    running.start();
    await advance(scheduler, 0);
    expect(sawChild).toEqual([true]);
    const silence = cluster.faults.stallWatches({ resource: ConfigMaps });
    cluster.patch(
      Deployments,
      'web',
      { metadata: { annotations: { version: 'v1' } } },
      { namespace: 'shop' },
    );
    await advance(scheduler, 0);
    expect(sawChild).toHaveLength(2);
    cluster.patch(
      Deployments,
      'web',
      { metadata: { annotations: { version: 'v2' } } },
      { namespace: 'shop' },
    );
    await advance(scheduler, 300);
    expect(sawChild).toHaveLength(2); // held back: the cache still holds the deleted child
    silence.cancel();
    await advance(scheduler, 0);
    expect(sawChild).toEqual([true, true, false]);
    expect(at).toEqual([0, 0, 300]); // the held key ran exactly when the watch resumed
  });
});
