import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKubeApiServer, type KubeApiServer } from '@rxinformer/testing';
import {
  ConfigMaps,
  ConflictError,
  Deployments,
  InvalidRequestError,
  KubeClient,
  Namespaces,
  ResourceNotFoundError,
  ServerBusyError,
  createInformerFactory,
  type Write,
} from '@rxinformer/core';

let server: KubeApiServer;
let client: KubeClient;
let writes: Write[];

beforeEach(async () => {
  server = await createKubeApiServer();
  writes = [];
  client = new KubeClient(server.kubeConfig, { onWrite: (w) => writes.push(w) });
});
afterEach(async () => {
  client.close();
  await server.close();
});

const configMap = (name: string, data: Record<string, string> = {}) => ({
  metadata: { name, labels: { app: 'web' } },
  data,
});

describe('KubeClient on the simulator', () => {
  it('creates, reads, replaces, patches and deletes, returning the server objects and recording each write', async () => {
    const cms = client.resource(ConfigMaps, { namespace: 'shop' });
    const created = await cms.create(configMap('web', { a: '1' }));
    expect(created.metadata?.uid).toBeTruthy();
    expect(created.kind).toBe('ConfigMap');
    expect(server.get(ConfigMaps, 'web', 'shop').data).toEqual({ a: '1' });

    const read = await cms.get('web');
    expect(read.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);

    const replaced = await cms.update({ ...read, data: { a: '2' } });
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(
      Number(read.metadata?.resourceVersion),
    );

    const merged = await cms.patch('web', { type: 'merge', patch: { data: { b: '3' } } });
    expect(merged.data).toEqual({ a: '2', b: '3' });
    const jsonPatched = await cms.patch('web', {
      type: 'json',
      patch: [{ op: 'remove', path: '/data/a' }],
    });
    expect(jsonPatched.data).toEqual({ b: '3' });

    const gone = await cms.delete(jsonPatched);
    expect(gone).toBeUndefined();
    expect(server.find(ConfigMaps, 'web', 'shop')).toBeUndefined();

    expect(writes.map((w) => [w.name, w.namespace, w.deleted, w.resourceVersion])).toEqual([
      ['web', 'shop', false, created.metadata?.resourceVersion],
      ['web', 'shop', false, replaced.metadata?.resourceVersion],
      ['web', 'shop', false, merged.metadata?.resourceVersion],
      ['web', 'shop', false, jsonPatched.metadata?.resourceVersion],
      // Deleting by object: the version the cache must have reached before the object leaves it.
      ['web', 'shop', true, jsonPatched.metadata?.resourceVersion],
    ]);
    expect(writes[4]?.uid).toBe(created.metadata?.uid);
    expect(writes.every((w) => w.resource === ConfigMaps)).toBe(true);
  });

  it('sends server-side apply with its field manager and force, and the status subresource', async () => {
    const deployments = client.resource(Deployments, { namespace: 'shop' });
    const desired = {
      metadata: { name: 'web' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'nginx' }] },
        },
      },
    };
    const seen = server.nextRequest({ method: 'PATCH' });
    const applied = await deployments.apply(desired, { fieldManager: 'website-operator', force: true });
    const request = await seen;
    expect(request.query).toMatchObject({ fieldManager: 'website-operator', force: 'true' });
    expect(applied.apiVersion).toBe('apps/v1');

    const status = await deployments.updateStatus({ ...applied, status: { readyReplicas: 1 } });
    expect(status.status?.readyReplicas).toBe(1);
    const patched = await deployments.patchStatus('web', {
      type: 'merge',
      patch: { status: { replicas: 2 } },
    });
    expect(patched.status?.replicas).toBe(2);
    expect(writes).toHaveLength(3);

    await expect(deployments.apply(desired, { fieldManager: '' })).rejects.toThrow(/fieldManager/);
  });

  it('does not persist or record a dry run', async () => {
    const cms = client.resource(ConfigMaps, { namespace: 'shop' });
    const seen = server.nextRequest({ method: 'POST' });
    const answer = await cms.create(configMap('dry'), { dryRun: true, fieldValidation: 'Strict' });
    expect(answer.metadata?.name).toBe('dry');
    expect((await seen).query).toMatchObject({ dryRun: 'All', fieldValidation: 'Strict' });
    expect(server.find(ConfigMaps, 'dry', 'shop')).toBeUndefined();
    expect(writes).toEqual([]);
  });

  it('fails with the typed errors of the informers', async () => {
    const cms = client.resource(ConfigMaps, { namespace: 'shop' });
    const first = await cms.create(configMap('web'));
    const exists = await cms.create(configMap('web')).catch((e: unknown) => e);
    expect(exists).toBeInstanceOf(ConflictError);
    expect((exists as ConflictError).alreadyExists).toBe(true);
    expect((exists as ConflictError).context).toEqual({
      verb: 'create',
      resource: 'configmaps',
      namespace: 'shop',
    });

    await cms.update({ ...first, data: { x: '1' } });
    const stale = await cms.update({ ...first, data: { x: '2' } }).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(ConflictError);
    expect((stale as ConflictError).alreadyExists).toBe(false);

    const missing = await cms.get('nope').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ResourceNotFoundError);
    expect((missing as ResourceNotFoundError).status.details?.name).toBe('nope');

    const invalid = await cms.create(configMap('Not_A_Name')).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(InvalidRequestError);
    expect((invalid as InvalidRequestError).causes.length).toBeGreaterThan(0);
    expect(writes).toHaveLength(2);
  });

  it('names a missing or contradicting namespace before sending anything', async () => {
    const before = server.requests.length;
    await expect(client.resource(ConfigMaps).create(configMap('a'))).rejects.toThrow(TypeError);
    await expect(
      client
        .resource(ConfigMaps, { namespace: 'shop' })
        .create({ metadata: { name: 'a', namespace: 'other' } }),
    ).rejects.toThrow(/'other' contradicts 'shop'|'shop' contradicts 'other'/);
    await expect(client.resource(Namespaces).get('x', { namespace: 'shop' })).rejects.toThrow(
      /cluster-scoped/,
    );
    expect(() => client.resource(Namespaces, { namespace: 'shop' })).toThrow(/cluster-scoped/);
    await expect(
      client.resource(ConfigMaps, { namespace: 'shop' }).patch('a', { type: 'apply' } as never),
    ).rejects.toThrow(/a patch is/);
    expect(server.requests.length).toBe(before);
  });

  it('lists from the server, one page when asked', async () => {
    const cms = client.resource(ConfigMaps, { namespace: 'shop' });
    for (const name of ['a', 'b', 'c']) await cms.create(configMap(name));
    const all = await cms.list();
    expect(all.items.map((c) => c.metadata?.name)).toEqual(['a', 'b', 'c']);
    expect(all.items[0]?.kind).toBe('ConfigMap');
    const page = await cms.list({ limit: 2 });
    expect(page.items).toHaveLength(2);
    expect(page.continue).toBeTruthy();
    const rest = await cms.list({ limit: 2, continue: page.continue });
    expect(rest.items.map((c) => c.metadata?.name)).toEqual(['c']);
  });

  it("sends again a request refused with 429 after the server's Retry-After", async () => {
    const cms = client.resource(ConfigMaps, { namespace: 'shop' });
    server.faults.failNext(2, { code: 429, retryAfterSeconds: 0 }, { method: 'POST' });
    const created = await cms.create(configMap('busy'));
    expect(created.metadata?.name).toBe('busy');
    expect(server.requests.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([429, 429, 201]);

    const impatient = new KubeClient(server.kubeConfig, { maxRetries: 0 });
    server.faults.failNext(1, { code: 429, retryAfterSeconds: 0 }, { method: 'POST' });
    await expect(
      impatient.resource(ConfigMaps, { namespace: 'shop' }).create(configMap('x')),
    ).rejects.toBeInstanceOf(ServerBusyError);
    impatient.close();
  });

  it('aborts a request with the signal, rejecting with its reason', async () => {
    const latency = server.faults.addLatency(5_000, { method: 'GET' });
    const abort = new AbortController();
    const pending = client.resource(ConfigMaps, { namespace: 'shop' }).get('web', { signal: abort.signal });
    abort.abort(new Error('gave up'));
    await expect(pending).rejects.toThrow('gave up');
    latency.cancel();
  });

  it('keeps the bearer token out of every error', async () => {
    const token = server.kubeConfig.getCurrentUser()?.token;
    expect(token).toBeTruthy();
    const errors = await Promise.all([
      client
        .resource(ConfigMaps, { namespace: 'shop' })
        .get('nope')
        .catch((e: unknown) => e as Error),
      client
        .resource(ConfigMaps, { namespace: 'shop' })
        .create(configMap('Bad_Name'))
        .catch((e: unknown) => e as Error),
    ]);
    for (const e of errors) {
      expect(e).toBeInstanceOf(Error);
      expect((e as Error).message).not.toContain(token);
      expect(JSON.stringify(e)).not.toContain(token);
    }
  });

  it('waits, through the factory, until every running informer that caches a write shows it', async () => {
    const informers = createInformerFactory({ kubeConfig: server.kubeConfig, lingerMs: 0 });
    const all = informers.informer(ConfigMaps);
    const shop = informers.informer(ConfigMaps, { namespace: 'shop', labelSelector: 'app=web' });
    const idle = informers.informer(ConfigMaps, { namespace: 'idle' }); // never started: not waited for
    const runs = [all.start(), shop.start()];
    await Promise.all([all.synced, shop.synced]);
    const cms = informers.client.resource(ConfigMaps, { namespace: 'shop' });
    const created = await cms.create(configMap('web', { v: '1' }));
    await informers.waitFor(created, { timeoutMs: 5_000 });
    expect(all.store.get('shop/web')?.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
    expect(shop.store.get('shop/web')?.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
    expect(idle.store.size).toBe(0);

    const deletes: Write[] = [];
    await informers.client
      .withRecorder((w) => deletes.push(w))
      .resource(ConfigMaps)
      .delete(created);
    await informers.waitFor(deletes[0]!, { timeoutMs: 5_000 });
    expect(all.store.has('shop/web')).toBe(false);
    expect(shop.store.has('shop/web')).toBe(false);
    runs.forEach((r) => r.unsubscribe());
    informers.shutdown();
  });
});
