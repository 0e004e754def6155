import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { createKubeApiServer, type KubeApiServer } from '@rxinformer/testing';
import {
  CacheSyncError,
  ConfigMaps,
  ConnectionError,
  ForbiddenError,
  Pods,
  createInformerFactory,
  type InformerFactory,
} from '@rxinformer/core';

let server: KubeApiServer | undefined;
const factories: InformerFactory[] = [];
afterEach(async () => {
  factories.splice(0).forEach((f) => f.shutdown());
  await server?.close();
  server = undefined;
});

function factoryFor(kubeConfig: KubeConfig): InformerFactory {
  const factory = createInformerFactory({
    kubeConfig,
    lingerMs: 0,
    reflector: { backoff: { initialMs: 20, maxMs: 50 } },
  });
  factories.push(factory);
  return factory;
}

/** A kubeconfig for a port nothing listens on. */
function unreachable(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'gone', server: 'https://127.0.0.1:9' }],
    users: [{ name: 'u', token: 'secret-token-value' }],
    contexts: [{ name: 'c', cluster: 'gone', user: 'u' }],
    currentContext: 'c',
  });
  return kc;
}

describe('waitForCacheSync', () => {
  it('rejects after timeoutMs with a CacheSyncError naming each informer not synced and its last error', async () => {
    const informers = factoryFor(unreachable());
    const pods = informers.informer(Pods, { namespace: 'shop' });
    const error = await informers.waitForCacheSync([pods], { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheSyncError);
    const e = error as CacheSyncError;
    expect(e.reason).toBe('timeout');
    expect(e.pending).toHaveLength(1);
    expect(e.pending[0]).toMatchObject({ resource: 'pods', namespace: 'shop' });
    expect(e.pending[0]?.lastError).toBeInstanceOf(ConnectionError);
    expect(e.message).toMatch(
      /1 of the informers had not synced after 300 ms: pods in namespace "shop" \((backoff|listing), last error: .*ECONNREFUSED/,
    );
    expect(e.message).not.toContain('secret-token-value');
  });

  it('names only the informers still unsynced, and resolves when all sync in time', async () => {
    server = await createKubeApiServer();
    const informers = factoryFor(server.kubeConfig);
    const cms = informers.informer(ConfigMaps, { namespace: 'shop' });
    const runs = [cms.start()];
    await informers.waitForCacheSync([cms], { timeoutMs: 10_000 });
    const gone = factoryFor(unreachable()).informer(Pods);
    const error = (await informers
      .waitForCacheSync([cms, gone], { timeoutMs: 200 })
      .catch((e: unknown) => e)) as CacheSyncError;
    expect(error.pending.map((p) => p.resource)).toEqual(['pods']);
    runs.forEach((r) => r.unsubscribe());
  });

  it('rejects with a CacheSyncError carrying the abort reason when the signal aborts', async () => {
    const informers = factoryFor(unreachable());
    const pods = informers.informer(Pods);
    const abort = new AbortController();
    const waiting = informers.waitForCacheSync([pods], { signal: abort.signal });
    setTimeout(() => abort.abort(new Error('operator shutting down')), 50);
    const error = (await waiting.catch((e: unknown) => e)) as CacheSyncError;
    expect(error).toBeInstanceOf(CacheSyncError);
    expect(error.reason).toBe('aborted');
    expect((error.cause as Error).message).toBe('operator shutting down');
    const already = await informers
      .waitForCacheSync([pods], { signal: abort.signal })
      .catch((e: unknown) => e);
    expect((already as CacheSyncError).reason).toBe('aborted');
    await expect(informers.waitForCacheSync([pods], { timeoutMs: -1 })).rejects.toBeInstanceOf(RangeError);
  });

  it('still rejects with a fatal error at once, before any timeout', async () => {
    server = await createKubeApiServer();
    server.faults.failNext(1, { code: 403, message: 'forbidden' }, { resource: ConfigMaps });
    const informers = factoryFor(server.kubeConfig);
    const cms = informers.informer(ConfigMaps);
    await expect(informers.waitForCacheSync([cms], { timeoutMs: 60_000 })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
  });

  it('informer.waitForSync starts the informer, resolves once synced, and rejects with a CacheSyncError past its deadline', async () => {
    server = await createKubeApiServer();
    const cms = factoryFor(server.kubeConfig).informer(ConfigMaps, { namespace: 'shop' });
    await cms.waitForSync({ timeoutMs: 10_000 }); // nothing subscribed: it starts the informer itself
    expect(server!.requests.filter((r) => r.resource === 'configmaps').length).toBeGreaterThan(0);

    const pods = factoryFor(unreachable()).informer(Pods);
    const error = (await pods.waitForSync({ timeoutMs: 200 }).catch((e: unknown) => e)) as CacheSyncError;
    expect(error).toBeInstanceOf(CacheSyncError);
    expect(error.pending.map((p) => p.resource)).toEqual(['pods']);
    expect(error.pending[0]?.lastError).toBeInstanceOf(ConnectionError);
  });
});
