import { Registry } from 'prom-client';
import { BehaviorSubject, firstValueFrom, filter } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ConfigMaps,
  Deployments,
  createInformerFactory,
  type InformerFactory,
  type KubeObject,
} from '@rxinformer/core';
import { createKubeApiServer, type KubeApiServer } from '@rxinformer/testing';
import {
  controller,
  type Controller,
  type KeyFilter,
  type KeyOwnership,
  type ReconcileRequest,
} from '@rxinformer/controller';

/** Polls an assertion until it holds (the suite's own bound, far above what a run needs). */
const eventually = (assertion: () => void) => vi.waitFor(assertion, { timeout: 20_000, interval: 20 });
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

const cm = (name: string, data: Record<string, string> = {}) => ({
  metadata: { name, namespace: 'shop' },
  data,
});
const deployment = (name: string) => ({
  metadata: { name, namespace: 'shop' },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
  },
});
const ownedBy = (
  name: string,
  owner: { uid: string; name: string },
  controllerRef = true,
  kind = 'Deployment',
) => ({
  metadata: {
    name,
    namespace: 'shop',
    ownerReferences: [
      { apiVersion: 'apps/v1', kind, name: owner.name, uid: owner.uid, controller: controllerRef },
    ],
  },
});

/** A reconcile that runs until its signal aborts; records each signal. */
const untilAborted =
  (signals: AbortSignal[]) =>
  ({ signal }: ReconcileRequest<KubeObject>): Promise<void> => {
    signals.push(signal);
    return new Promise<void>((_, reject) =>
      signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
    );
  };

describe('controller over the simulator', () => {
  it('reconciles every cached object once, only after the informers synced, with the current object', async () => {
    for (let i = 0; i < 5; i++) server.create(ConfigMaps, cm(`cm-${i}`, { v: String(i) }));
    const cms = factory.informer(ConfigMaps, { namespace: 'shop' });
    const seen: { key: string; v: string | undefined; storeSize: number }[] = [];
    running = controller({
      name: 'cms',
      for: cms,
      concurrency: 3,
      reconcile: ({ key, object }) =>
        void seen.push({ key, v: object?.data?.['v'], storeSize: cms.store.size }),
    });
    running.start();
    await eventually(() => expect(seen).toHaveLength(5));
    expect(seen.every((s) => s.storeSize === 5)).toBe(true);
    expect(seen.map((s) => `${s.key}=${s.v}`).sort()).toEqual([
      'shop/cm-0=0',
      'shop/cm-1=1',
      'shop/cm-2=2',
      'shop/cm-3=3',
      'shop/cm-4=4',
    ]);
    server.patch(ConfigMaps, 'cm-2', { data: { v: 'new' } }, { namespace: 'shop' });
    server.delete(ConfigMaps, 'cm-3', 'shop');
    await eventually(() => expect(seen).toHaveLength(7));
    expect(
      seen
        .slice(5)
        .map((s) => `${s.key}=${s.v}`)
        .sort(),
    ).toEqual(['shop/cm-2=new', 'shop/cm-3=undefined']);
  });

  it('maps owned objects to their controlling owner, ignoring non-controller and other-kind references', async () => {
    const d = server.create(Deployments, deployment('web')) as { metadata: { uid: string; name: string } };
    const keys: string[] = [];
    running = controller({
      name: 'deployments',
      for: factory.informer(Deployments, { namespace: 'shop' }),
      owns: [factory.informer(ConfigMaps, { namespace: 'shop' })],
      reconcile: ({ key }) => void keys.push(key),
    });
    running.start();
    await eventually(() => expect(keys).toEqual(['shop/web']));
    server.create(ConfigMaps, ownedBy('not-controller', d.metadata, false));
    server.create(ConfigMaps, ownedBy('other-kind', d.metadata, true, 'StatefulSet'));
    server.create(ConfigMaps, ownedBy('owned', d.metadata));
    await eventually(() => expect(keys).toEqual(['shop/web', 'shop/web']));
    server.patch(ConfigMaps, 'owned', { data: { x: '1' } }, { namespace: 'shop' });
    await eventually(() => expect(keys).toHaveLength(3));
    server.patch(ConfigMaps, 'not-controller', { data: { x: '1' } }, { namespace: 'shop' });
    server.patch(ConfigMaps, 'owned', { data: { x: '2' } }, { namespace: 'shop' });
    await eventually(() => expect(keys).toHaveLength(4));
    expect(new Set(keys)).toEqual(new Set(['shop/web']));
  });

  it('maps objects of watched resources to primary keys with a function', async () => {
    server.create(ConfigMaps, cm('site'));
    const keys: string[] = [];
    running = controller({
      name: 'watches',
      for: factory.informer(ConfigMaps, { namespace: 'shop' }),
      watches: [
        {
          informer: factory.informer(Deployments, { namespace: 'shop' }),
          map: (d) => [`shop/${d.metadata?.labels?.['site'] ?? ''}`],
        },
      ],
      reconcile: ({ key }) => void keys.push(key),
    });
    running.start();
    await eventually(() => expect(keys).toEqual(['shop/site']));
    server.create(Deployments, {
      ...deployment('d'),
      metadata: { name: 'd', namespace: 'shop', labels: { site: 'site' } },
    });
    await eventually(() => expect(keys).toEqual(['shop/site', 'shop/site']));
  });

  it('retries a failing key with backoff without stopping the loop, and counts results in controller-runtime metrics', async () => {
    server.create(ConfigMaps, cm('bad'));
    server.create(ConfigMaps, cm('good'));
    const registry = new Registry();
    const attempts: string[] = [];
    running = controller({
      name: 'flaky',
      for: factory.informer(ConfigMaps, { namespace: 'shop' }),
      registry,
      reconcile: ({ key }) => {
        attempts.push(key);
        if (key === 'shop/bad' && attempts.filter((k) => k === key).length <= 3) throw new Error('boom');
      },
    });
    running.start();
    await eventually(() => expect(attempts.filter((k) => k === 'shop/bad')).toHaveLength(4));
    expect(attempts.filter((k) => k === 'shop/good')).toHaveLength(1);
    const text = await registry.metrics();
    expect(text).toContain('controller_runtime_reconcile_total{controller="flaky",result="error"} 3');
    expect(text).toContain('controller_runtime_reconcile_total{controller="flaky",result="success"} 2');
    expect(text).toContain('controller_runtime_reconcile_errors_total{controller="flaky"} 3');
    expect(text).toContain('workqueue_retries_total{name="flaky"} 3');
    expect(text).toContain('controller_runtime_reconcile_time_seconds_count{controller="flaky"} 5');
  });

  it('requeues after the delay a reconcile asks for', async () => {
    server.create(ConfigMaps, cm('poll'));
    const times: number[] = [];
    running = controller({
      name: 'poll',
      for: factory.informer(ConfigMaps, { namespace: 'shop' }),
      reconcile: () => {
        times.push(Date.now());
        return times.length < 3 ? { requeueAfterMs: 50 } : undefined;
      },
    });
    running.start();
    await eventually(() => expect(times).toHaveLength(3));
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(45);
  });

  it('aborts the signal of an in-flight reconcile superseded by a newer event, then reconciles the new state', async () => {
    server.create(ConfigMaps, cm('slow', { v: '1' }));
    const runs: ReconcileRequest<KubeObject & { data?: Record<string, string> }>[] = [];
    let aborted: unknown;
    running = controller({
      name: 'slow',
      for: factory.informer(ConfigMaps, { namespace: 'shop' }),
      reconcile: (request) => {
        runs.push(request);
        if (runs.length > 1) return;
        return new Promise<void>((_, reject) =>
          request.signal.addEventListener('abort', () => reject((aborted = request.signal.reason)), {
            once: true,
          }),
        );
      },
    });
    running.start();
    await eventually(() => expect(runs).toHaveLength(1));
    server.patch(ConfigMaps, 'slow', { data: { v: '2' } }, { namespace: 'shop' });
    await eventually(() => expect(runs).toHaveLength(2));
    expect(String(aborted)).toContain('superseded');
    expect(runs[1]!.object?.data?.['v']).toBe('2');
  });

  it('reconciles only while the ownership allows, and only the keys it allows', async () => {
    for (const name of ['a', 'b', 'c']) server.create(ConfigMaps, cm(name));
    const ownership$ = new BehaviorSubject<KeyFilter | undefined>(undefined);
    let stopped = false;
    const ownership: KeyOwnership = {
      ownership$,
      start: () => undefined,
      stop: async () => void (stopped = true),
    };
    const keys: string[] = [];
    const c = controller({
      name: 'owned',
      for: factory.informer(ConfigMaps, { namespace: 'shop' }),
      ownership,
      reconcile: ({ key }) => void keys.push(key),
    });
    running = c;
    c.start();
    await factory.waitForCacheSync([factory.informer(ConfigMaps, { namespace: 'shop' })]);
    expect(keys).toEqual([]);
    ownership$.next((key) => key !== 'shop/b');
    await eventually(() => expect([...keys].sort()).toEqual(['shop/a', 'shop/c']));
    ownership$.next(undefined);
    await firstValueFrom(c.active$.pipe(filter((a) => !a)));
    const modified = firstValueFrom(
      factory.informer(ConfigMaps, { namespace: 'shop' }).events$.pipe(filter((e) => e.type === 'MODIFIED')),
    );
    server.patch(ConfigMaps, 'a', { data: { x: '1' } }, { namespace: 'shop' });
    await modified; // an event while inactive queues nothing
    ownership$.next(() => true); // gaining ownership queues every cached key
    await eventually(() => expect(keys.slice(2).sort()).toEqual(['shop/a', 'shop/b', 'shop/c']));
    await c.stop();
    running = undefined;
    expect(stopped).toBe(true);
  });

  it('stops with drain after finishing queued work, and without drain by aborting in-flight reconciles', async () => {
    for (let i = 0; i < 4; i++) server.create(ConfigMaps, cm(`d-${i}`));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const done: string[] = [];
    const c = controller({
      name: 'drain',
      for: factory.informer(ConfigMaps, { namespace: 'shop' }),
      reconcile: async ({ key }) => {
        await gate;
        done.push(key);
      },
    });
    c.start();
    await firstValueFrom(c.active$.pipe(filter(Boolean)));
    const stopping = c.stop({ drain: true });
    release();
    await stopping;
    expect(done).toHaveLength(4);

    const signals: AbortSignal[] = [];
    const c2 = controller({
      name: 'abort',
      for: factory.informer(ConfigMaps, { namespace: 'shop' }),
      concurrency: 2,
      reconcile: untilAborted(signals),
    });
    c2.start();
    await eventually(() => expect(signals).toHaveLength(2));
    await c2.stop();
    expect(signals.every((s) => s.aborted)).toBe(true);
    expect(signals).toHaveLength(2); // the two queued keys were handed back, not started
  });

  it('stops when its factory is shut down under it: in-flight reconciles aborted, done resolved', async () => {
    server.create(ConfigMaps, cm('s-0'));
    const signals: AbortSignal[] = [];
    running = controller({
      name: 'shutdown',
      for: factory.informer(ConfigMaps, { namespace: 'shop' }),
      reconcile: untilAborted(signals),
    });
    running.start();
    await eventually(() => expect(signals).toHaveLength(1));
    factory.shutdown();
    await running.done;
    expect(running.status.phase).toBe('stopped');
    expect(signals[0]?.aborted).toBe(true);
  });
});
