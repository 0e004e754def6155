import { KubeConfig } from '@kubernetes/client-node';
import { startKubeApiServer, type KubeApiServer } from '@rxinformer/kube-apiserver-harness';
import {
  ConfigMaps,
  ConflictError,
  CustomResourceDefinitions,
  Deployments,
  ForbiddenError,
  InvalidRequestError,
  KubeClient,
  ResourceNotFoundError,
  createInformerFactory,
  defineResource,
  type InformerFactory,
  type KubeObject,
} from '@rxinformer/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from './support/informer-helpers.js';

// The typed client and read-your-writes against a real kube-apiserver + etcd.
let kube: KubeApiServer;
let kc: KubeConfig;
let client: KubeClient;
const factories: InformerFactory[] = [];

interface Widget extends KubeObject {
  spec?: { replicas?: number; color?: string };
  status?: { replicas?: number; phase?: string };
}
const Widgets = defineResource<Widget>({
  group: 'client.e2e.example.com',
  version: 'v1',
  plural: 'widgets',
  kind: 'Widget',
  namespaced: true,
});

beforeAll(async () => {
  kube = await startKubeApiServer();
  kc = new KubeConfig();
  kc.loadFromFile(kube.kubeconfigPath);
  client = new KubeClient(kc);
  await client.resource(CustomResourceDefinitions).create({
    metadata: { name: 'widgets.client.e2e.example.com' },
    spec: {
      group: 'client.e2e.example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: {
            status: {},
            scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' },
          },
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  properties: { replicas: { type: 'integer' }, color: { type: 'string' } },
                },
                status: {
                  type: 'object',
                  properties: { replicas: { type: 'integer' }, phase: { type: 'string' } },
                },
              },
            },
          },
        },
      ],
    },
  });
  for (let i = 0; ; i++) {
    try {
      await client.resource(Widgets, { namespace: 'default' }).list({ limit: 1 });
      break;
    } catch (e) {
      if (!(e instanceof ResourceNotFoundError) || i > 100) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}, 180_000);
afterEach(() => factories.splice(0).forEach((f) => f.shutdown()));
afterAll(async () => {
  client?.close();
  await kube?.stop();
});

function informers(): InformerFactory {
  const factory = createInformerFactory({ kubeConfig: kc, lingerMs: 0 });
  factories.push(factory);
  return factory;
}

const deployment = (name: string, containers: { name: string; image: string }[]) => ({
  metadata: { name, labels: { app: name } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers } },
  },
});

describe('KubeClient on kube-apiserver: a built-in type', () => {
  const deployments = () => client.resource(Deployments, { namespace: 'default' });

  it('creates, gets, lists, replaces with optimistic concurrency and deletes with preconditions', async () => {
    const name = uniqueName('dep');
    const created = await deployments().create(deployment(name, [{ name: 'web', image: 'nginx:1' }]));
    expect(created.metadata?.uid).toBeTruthy();
    const got = await deployments().get(name);
    expect(got.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
    const listed = await deployments().list({ labelSelector: `app=${name}` });
    expect(listed.items.map((d) => d.metadata?.name)).toEqual([name]);

    const replaced = await deployments().update({ ...got, spec: { ...got.spec!, replicas: 2 } });
    expect(replaced.spec?.replicas).toBe(2);
    const stale = await deployments()
      .update({ ...got, spec: { ...got.spec!, replicas: 3 } })
      .catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(ConflictError);
    expect((stale as ConflictError).alreadyExists).toBe(false);
    const again = await deployments()
      .create(deployment(name, [{ name: 'web', image: 'nginx:1' }]))
      .catch((e: unknown) => e);
    expect((again as ConflictError).alreadyExists).toBe(true);

    const wrongUid = await deployments()
      .delete(name, { preconditions: { uid: '00000000-0000-0000-0000-000000000000' } })
      .catch((e: unknown) => e);
    expect(wrongUid).toBeInstanceOf(ConflictError);
    // Foreground: the server keeps the object (finalizer foregroundDeletion) until the garbage
    // collector has removed its dependents; no controller manager runs here, so it stays marked.
    const marked = await deployments().delete(replaced, { propagationPolicy: 'Foreground' });
    expect(marked?.metadata?.deletionTimestamp).toBeTruthy();
    expect(marked?.metadata?.finalizers).toContain('foregroundDeletion');
    const missing = await deployments()
      .get(uniqueName('absent'))
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ResourceNotFoundError);
  });

  it('patches as merge, JSON and strategic merge (containers merged by name)', async () => {
    const name = uniqueName('dep');
    await deployments().create(deployment(name, [{ name: 'web', image: 'nginx:1' }]));
    const strategic = await deployments().patch(name, {
      type: 'strategic',
      patch: { spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'busybox:1' }] } } } },
    });
    expect(strategic.spec?.template.spec?.containers.map((c) => c.name).sort()).toEqual(['sidecar', 'web']);
    const merged = await deployments().patch(name, {
      type: 'merge',
      patch: { metadata: { labels: { tier: 'front' } } },
    });
    expect(merged.metadata?.labels).toMatchObject({ app: name, tier: 'front' });
    const json = await deployments().patch(name, {
      type: 'json',
      patch: [{ op: 'replace', path: '/spec/replicas', value: 4 }],
    });
    expect(json.spec?.replicas).toBe(4);
    const failedTest = await deployments()
      .patch(name, { type: 'json', patch: [{ op: 'test', path: '/spec/replicas', value: 9 }] })
      .catch((e: unknown) => e);
    expect(failedTest).toBeInstanceOf(InvalidRequestError);
  });

  it('applies server-side: conflicts between managers, force, and fields a manager stops applying', async () => {
    const name = uniqueName('cm');
    const cms = client.resource(ConfigMaps, { namespace: 'default' });
    const first = await cms.apply(
      { metadata: { name }, data: { owned: 'a', shared: '1' } },
      { fieldManager: 'first' },
    );
    expect(first.metadata?.managedFields?.map((f) => f.manager)).toEqual(['first']);
    const conflict = await cms
      .apply({ metadata: { name }, data: { shared: '2' } }, { fieldManager: 'second' })
      .catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(ConflictError);
    expect((conflict as ConflictError).status.details?.causes?.[0]?.field).toContain('shared');
    const forced = await cms.apply(
      { metadata: { name }, data: { shared: '2' } },
      { fieldManager: 'second', force: true },
    );
    expect(forced.data).toEqual({ owned: 'a', shared: '2' });
    // "first" applies again without `owned`: the field it alone managed is removed.
    const dropped = await cms.apply({ metadata: { name }, data: {} }, { fieldManager: 'first' });
    expect(dropped.data).toEqual({ shared: '2' });
  });

  it('writes status and scale, and dry runs persist nothing', async () => {
    const name = uniqueName('dep');
    const created = await deployments().create(deployment(name, [{ name: 'web', image: 'nginx:1' }]));
    const status = await deployments().updateStatus({
      ...created,
      status: { replicas: 1, observedGeneration: 1 },
    });
    expect(status.status?.observedGeneration).toBe(1);
    const patched = await deployments().patchStatus(name, {
      type: 'merge',
      patch: { status: { observedGeneration: 2 } },
    });
    expect(patched.status?.observedGeneration).toBe(2);

    const scale = await deployments().getScale(name);
    expect(scale.spec?.replicas).toBe(1);
    const scaled = await deployments().updateScale(name, { ...scale, spec: { replicas: 3 } });
    expect(scaled.spec?.replicas).toBe(3);
    await deployments().patchScale(name, { type: 'merge', patch: { spec: { replicas: 5 } } });
    expect((await deployments().get(name)).spec?.replicas).toBe(5);

    const dry = await deployments().patch(
      name,
      { type: 'merge', patch: { spec: { replicas: 9 } } },
      { dryRun: true },
    );
    expect(dry.spec?.replicas).toBe(9);
    expect((await deployments().get(name)).spec?.replicas).toBe(5);
    await deployments().delete(name, { dryRun: true });
    expect((await deployments().get(name)).metadata?.name).toBe(name);

    const unknownField = await deployments()
      .create(
        { ...deployment(uniqueName('dep'), [{ name: 'w', image: 'nginx' }]), spec: { bogus: 1 } } as never,
        { fieldValidation: 'Strict' },
      )
      .catch((e: unknown) => e);
    expect(unknownField).toBeInstanceOf(InvalidRequestError);
  });

  it('fails with a ForbiddenError naming the verb for a user RBAC does not allow to write', async () => {
    const limited = new KubeConfig();
    limited.loadFromFile(kube.limitedKubeconfigPath);
    const weak = new KubeClient(limited);
    const denied = await weak
      .resource(ConfigMaps, { namespace: 'default' })
      .create({ metadata: { name: uniqueName('cm') } })
      .catch((e: unknown) => e);
    weak.close();
    expect(denied).toBeInstanceOf(ForbiddenError);
    expect((denied as ForbiddenError).verb).toBe('create');
    expect((denied as Error).message).not.toContain(kube.limitedToken);
  });
});

describe('KubeClient on kube-apiserver: a custom resource', () => {
  const widgets = () => client.resource(Widgets, { namespace: 'default' });

  it('does every verb, status and scale on a CRD; strategic merge is refused with a typed error', async () => {
    const name = uniqueName('w');
    const created = await widgets().create({ metadata: { name }, spec: { replicas: 1, color: 'red' } });
    expect(created.apiVersion).toBe('client.e2e.example.com/v1');
    const updated = await widgets().update({ ...created, spec: { replicas: 1, color: 'blue' } });
    expect(updated.metadata?.generation).toBe(2);
    const merged = await widgets().patch(name, { type: 'merge', patch: { spec: { color: 'green' } } });
    expect(merged.spec?.color).toBe('green');
    const strategic = await widgets()
      .patch(name, { type: 'strategic', patch: { spec: { color: 'x' } } })
      .catch((e: unknown) => e);
    expect(strategic).toBeInstanceOf(InvalidRequestError);
    expect((strategic as InvalidRequestError).code).toBe(415);
    const applied = await widgets().apply(
      {
        apiVersion: 'client.e2e.example.com/v1',
        kind: 'Widget',
        metadata: { name },
        spec: { color: 'pink' },
      },
      { fieldManager: 'painter', force: true },
    );
    expect(applied.spec).toEqual({ replicas: 1, color: 'pink' });

    const status = await widgets().updateStatus({ ...applied, status: { replicas: 1, phase: 'Ready' } });
    expect(status.status?.phase).toBe('Ready');
    const statusPatched = await widgets().patchStatus(name, {
      type: 'merge',
      patch: { status: { phase: 'Busy' } },
    });
    expect(statusPatched.status?.phase).toBe('Busy');
    const statusApplied = await widgets().applyStatus(
      {
        apiVersion: 'client.e2e.example.com/v1',
        kind: 'Widget',
        metadata: { name },
        status: { phase: 'Done' },
      },
      { fieldManager: 'status-writer', force: true },
    );
    expect(statusApplied.status?.phase).toBe('Done');

    expect((await widgets().getScale(name)).spec?.replicas).toBe(1);
    await widgets().patchScale(name, { type: 'merge', patch: { spec: { replicas: 3 } } });
    expect((await widgets().get(name)).spec?.replicas).toBe(3);

    expect(await widgets().delete(name)).toBeUndefined();
    await expect(widgets().get(name)).rejects.toBeInstanceOf(ResourceNotFoundError);
  });
});

describe('read-your-writes on kube-apiserver', () => {
  it('resolves waitFor once the informer shows each create, update, patch and delete', async () => {
    const factory = informers();
    const label = uniqueName('ryw');
    const cached = factory.informer(ConfigMaps, { namespace: 'default', labelSelector: `ryw=${label}` });
    const run = cached.start();
    await cached.synced;
    const cms = factory.client.resource(ConfigMaps, { namespace: 'default' });
    const name = uniqueName('cm');

    const created = await cms.create({ metadata: { name, labels: { ryw: label } }, data: { v: '1' } });
    await cached.waitFor(created, { timeoutMs: 10_000 });
    expect(cached.store.get(`default/${name}`)?.metadata?.resourceVersion).toBe(
      created.metadata?.resourceVersion,
    );

    const updated = await cms.update({ ...created, data: { v: '2' } });
    await cached.waitFor(updated, { timeoutMs: 10_000 });
    expect(cached.store.get(`default/${name}`)?.data).toEqual({ v: '2' });

    const patched = await cms.patch(name, { type: 'merge', patch: { data: { v: '3' } } });
    await cached.waitFor(patched, { timeoutMs: 10_000 });
    expect(cached.store.get(`default/${name}`)?.data).toEqual({ v: '3' });

    const writes: Parameters<typeof cached.waitFor>[0][] = [];
    const recording = factory.client.withRecorder((w) => writes.push(w));
    await recording.resource(ConfigMaps, { namespace: 'default' }).delete(patched);
    expect(writes).toHaveLength(1);
    await cached.waitFor(writes[0]!, { timeoutMs: 10_000 });
    expect(cached.store.has(`default/${name}`)).toBe(false);
    run.unsubscribe();
  });

  it('resolves at once for writes outside the informer scope, and waits for an object leaving it', async () => {
    const factory = informers();
    const label = uniqueName('scope');
    const cached = factory.informer(ConfigMaps, { namespace: 'default', labelSelector: `scope=${label}` });
    const run = cached.start();
    await cached.synced;
    const elsewhere = await factory.client
      .resource(ConfigMaps, { namespace: 'kube-public' })
      .create({ metadata: { name: uniqueName('cm'), labels: { scope: label } } });
    // A bookmark could take a minute: these deadlines only pass if the informer proves it at once.
    await cached.waitFor(elsewhere, { timeoutMs: 2_000 });
    const cms = factory.client.resource(ConfigMaps, { namespace: 'default' });
    const unlabelled = await cms.create({ metadata: { name: uniqueName('cm'), labels: { scope: 'other' } } });
    await cached.waitFor(unlabelled, { timeoutMs: 2_000 });

    const inside = await cms.create({ metadata: { name: uniqueName('cm'), labels: { scope: label } } });
    await cached.waitFor(inside, { timeoutMs: 10_000 });
    const key = `default/${inside.metadata!.name!}`;
    expect(cached.store.has(key)).toBe(true);
    const leaving = await cms.patch(inside.metadata!.name!, {
      type: 'merge',
      patch: { metadata: { labels: { scope: 'gone' } } },
    });
    await cached.waitFor(leaving, { timeoutMs: 10_000 });
    expect(cached.store.has(key)).toBe(false);
    run.unsubscribe();
  });
});
