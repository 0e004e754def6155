import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
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
import { createKubeApiServer, type KubeApiServer } from '@rxinformer/testing';
import { controller, type Controller, type ReconcileRequest } from '@rxinformer/controller';

const eventually = (assertion: () => void) => vi.waitFor(assertion, { timeout: 20_000, interval: 10 });
let server: KubeApiServer;
let factory: InformerFactory;
let running: Controller | undefined;

beforeEach(async () => {
  server = await createKubeApiServer({ bookmarkIntervalMs: 100 });
  factory = createInformerFactory({ kubeConfig: server.kubeConfig, lingerMs: 0 });
});
afterEach(async () => {
  await running?.stop();
  running = undefined;
  factory.shutdown();
  await server.close();
});

const deployment = (name: string, version: string) => ({
  metadata: { name, namespace: 'shop', annotations: { version } },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
  },
});

interface Seen {
  readonly version: string | undefined;
  readonly childInCache: boolean;
  readonly outcome: 'created' | 'updated' | 'already exists' | 'conflict';
}

/**
 * A Deployment's reconcile that writes a ConfigMap `<name>-child` holding the Deployment's
 * version annotation: created when the cache has none, else replaced at the cached version.
 */
function childWriter(seen: Seen[], configMaps: ReturnType<InformerFactory['informer']>) {
  return async ({ object, name, client, signal }: ReconcileRequest<KubeObject>) => {
    if (!object) return;
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
      seen.push({ version, childInCache: !!cached, outcome: cached ? 'updated' : 'created' });
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      seen.push({
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
 * Runs one scenario: the ConfigMap watch is held silent (events queue up at the server), the
 * Deployment changes twice, and the watch resumes after `releaseAfterMs`.
 */
async function twoChangesWhileTheWatchIsSilent(options: {
  readYourWrites: boolean | { timeoutMs: number };
  releaseAfterMs: number;
  registry?: Registry;
  logger?: Logger;
}): Promise<Seen[]> {
  server.create(Deployments, deployment('web', 'v0'));
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
    ...(options.registry ? { registry: options.registry } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  running.start();
  await eventually(() => expect(seen.map((s) => s.version)).toEqual(['v0']));
  await eventually(() => expect(configMaps.store.has('shop/web-child')).toBe(true));

  const silence = server.faults.stallWatches({ resource: ConfigMaps });
  server.patch(Deployments, 'web', { metadata: { annotations: { version: 'v1' } } }, { namespace: 'shop' });
  await eventually(() => expect(seen.map((s) => s.version)).toContain('v1'));
  // The reconcile of v1 wrote the child; the cache cannot show it while the watch is silent.
  server.patch(Deployments, 'web', { metadata: { annotations: { version: 'v2' } } }, { namespace: 'shop' });
  await new Promise((resolve) => setTimeout(resolve, options.releaseAfterMs));
  silence.cancel();
  await eventually(() => expect(server.get(ConfigMaps, 'web-child', 'shop').data).toEqual({ version: 'v2' }));
  return seen;
}

describe('read-your-writes in the controller, over the simulator', () => {
  it("holds a key back until the caches show its last reconcile's writes: no 409 from a stale cache", async () => {
    const seen = await twoChangesWhileTheWatchIsSilent({ readYourWrites: true, releaseAfterMs: 500 });
    expect(seen.map((s) => s.outcome)).toEqual(['created', 'updated', 'updated']);
    expect(seen.map((s) => s.version)).toEqual(['v0', 'v1', 'v2']);
  });

  it('with readYourWrites off, the next reconcile acts on the stale cache and gets a 409', async () => {
    const seen = await twoChangesWhileTheWatchIsSilent({ readYourWrites: false, releaseAfterMs: 500 });
    expect(seen.map((s) => s.outcome)).toContain('conflict');
  });

  it('goes on after the deadline, with a warning naming the writes and a metric', async () => {
    const registry = new Registry();
    const lines: { level: string; message: string; fields: object }[] = [];
    const started = Date.now();
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
    expect(Date.now() - started).toBeGreaterThan(200);
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
    server.create(Deployments, deployment('web', 'v0'));
    server.create(ConfigMaps, { metadata: { name: 'web-child', namespace: 'shop' }, data: {} });
    const deployments = factory.informer(Deployments, { namespace: 'shop' });
    const configMaps = factory.informer(ConfigMaps, { namespace: 'shop' });
    const sawChild: boolean[] = [];
    running = controller({
      name: 'deleter',
      for: deployments,
      owns: [configMaps],
      reconcile: async ({ name, client, object }) => {
        const cached = configMaps.store.get(`shop/${name}-child`);
        sawChild.push(!!cached);
        if (object?.metadata?.annotations?.['version'] === 'v1' && cached)
          await client.resource(ConfigMaps, { namespace: 'shop' }).delete(cached);
      },
    });
    running.start();
    await eventually(() => expect(sawChild).toEqual([true]));
    const silence = server.faults.stallWatches({ resource: ConfigMaps });
    server.patch(Deployments, 'web', { metadata: { annotations: { version: 'v1' } } }, { namespace: 'shop' });
    await eventually(() => expect(sawChild).toHaveLength(2));
    server.patch(Deployments, 'web', { metadata: { annotations: { version: 'v2' } } }, { namespace: 'shop' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sawChild).toHaveLength(2); // held back: the cache still holds the deleted child
    silence.cancel();
    await eventually(() => expect(sawChild).toEqual([true, true, false]));
  });
});
