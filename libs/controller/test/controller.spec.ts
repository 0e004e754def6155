// The controller over informers of a fake cluster, in virtual time: every reconcile is recorded
// at `scheduler.now()`, so delays (backoff, requeueAfterMs) are asserted exactly, not polled for.
import { Registry } from 'prom-client';
import { BehaviorSubject, VirtualAction, VirtualTimeScheduler } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConfigMaps,
  Deployments,
  createInformerFactory,
  type InformerFactory,
  type KubeObject,
} from '@rxinformer/core';
import { advance, createFakeCluster, type FakeCluster } from '@rxinformer/testing';
import {
  controller,
  type Controller,
  type KeyFilter,
  type KeyOwnership,
  type ReconcileRequest,
} from '@rxinformer/controller';

type ConfigMap = KubeObject & { data?: Record<string, string> };

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
  if (running) await stop(running);
  running = undefined;
  factory.shutdown();
  await advance(scheduler, 0);
  expect(scheduler.actions.map((a) => a.delay)).toEqual([]); // no timer outlives the controller
});

/** Stops a controller, letting the clock run what the stop waits for. */
async function stop(c: Controller, options: { drain?: boolean } = {}): Promise<void> {
  const stopped = c.stop(options);
  await advance(scheduler, 0);
  await stopped;
}

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

describe('controller over a fake cluster in virtual time', () => {
  it('reconciles every cached object once, only after the informers synced, with the current object', async () => {
    for (let i = 0; i < 5; i++) cluster.create(ConfigMaps, cm(`cm-${i}`, { v: String(i) }));
    const cms = factory.informer<ConfigMap>(ConfigMaps, { namespace: 'shop' });
    const seen: { at: number; key: string; v: string | undefined; storeSize: number }[] = [];
    running = controller<ConfigMap>({
      name: 'cms',
      for: cms,
      concurrency: 3,
      scheduler,
      reconcile: ({ key, object }) =>
        void seen.push({ at: scheduler.now(), key, v: object?.data?.['v'], storeSize: cms.store.size }),
    });
    running.start();
    await advance(scheduler, 0);
    expect(seen.every((s) => s.storeSize === 5)).toBe(true);
    expect(seen.map((s) => `${s.at}: ${s.key}=${s.v}`).sort()).toEqual([
      '0: shop/cm-0=0',
      '0: shop/cm-1=1',
      '0: shop/cm-2=2',
      '0: shop/cm-3=3',
      '0: shop/cm-4=4',
    ]);
    await advance(scheduler, 1_000);
    expect(seen).toHaveLength(5); // once each: nothing requeues an unchanged object
    cluster.patch(ConfigMaps, 'cm-2', { data: { v: 'new' } }, { namespace: 'shop' });
    cluster.delete(ConfigMaps, 'cm-3', 'shop');
    await advance(scheduler, 0);
    await advance(scheduler, 60_000);
    expect(
      seen
        .slice(5)
        .map((s) => `${s.at}: ${s.key}=${s.v}`)
        .sort(),
    ).toEqual(['1000: shop/cm-2=new', '1000: shop/cm-3=undefined']);
  });

  it('maps owned objects to their controlling owner, ignoring non-controller and other-kind references', async () => {
    const d = cluster.create(Deployments, deployment('web')) as { metadata: { uid: string; name: string } };
    const keys: string[] = [];
    running = controller({
      name: 'deployments',
      for: factory.informer(Deployments, { namespace: 'shop' }),
      owns: [factory.informer(ConfigMaps, { namespace: 'shop' })],
      scheduler,
      reconcile: ({ key }) => void keys.push(`${scheduler.now()}: ${key}`),
    });
    running.start();
    await advance(scheduler, 0);
    expect(keys).toEqual(['0: shop/web']);
    // One write a step, so that a wrongly mapped event cannot hide in a coalesced key.
    const step = async (write: () => void) => {
      await advance(scheduler, 100);
      write();
      await advance(scheduler, 0);
    };
    await step(() => cluster.create(ConfigMaps, ownedBy('not-controller', d.metadata, false)));
    await step(() => cluster.create(ConfigMaps, ownedBy('other-kind', d.metadata, true, 'StatefulSet')));
    expect(keys).toEqual(['0: shop/web']);
    await step(() => cluster.create(ConfigMaps, ownedBy('owned', d.metadata)));
    expect(keys).toEqual(['0: shop/web', '300: shop/web']);
    await step(() => cluster.patch(ConfigMaps, 'owned', { data: { x: '1' } }, { namespace: 'shop' }));
    expect(keys).toEqual(['0: shop/web', '300: shop/web', '400: shop/web']);
    await step(() =>
      cluster.patch(ConfigMaps, 'not-controller', { data: { x: '1' } }, { namespace: 'shop' }),
    );
    await step(() => cluster.patch(ConfigMaps, 'other-kind', { data: { x: '1' } }, { namespace: 'shop' }));
    expect(keys).toHaveLength(3);
    await step(() => cluster.patch(ConfigMaps, 'owned', { data: { x: '2' } }, { namespace: 'shop' }));
    expect(keys).toEqual(['0: shop/web', '300: shop/web', '400: shop/web', '700: shop/web']);
  });

  it('maps objects of watched resources to primary keys with a function', async () => {
    cluster.create(ConfigMaps, cm('site'));
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
      scheduler,
      reconcile: ({ key }) => void keys.push(`${scheduler.now()}: ${key}`),
    });
    running.start();
    await advance(scheduler, 0);
    expect(keys).toEqual(['0: shop/site']);
    await advance(scheduler, 500);
    cluster.create(Deployments, {
      ...deployment('d'),
      metadata: { name: 'd', namespace: 'shop', labels: { site: 'site' } },
    });
    await advance(scheduler, 0);
    expect(keys).toEqual(['0: shop/site', '500: shop/site']);
  });

  it('retries a failing key with backoff without stopping the loop, and counts results in controller-runtime metrics', async () => {
    cluster.create(ConfigMaps, cm('bad'));
    cluster.create(ConfigMaps, cm('good'));
    const registry = new Registry();
    const attempts: string[] = [];
    running = controller({
      name: 'flaky',
      for: factory.informer(ConfigMaps, { namespace: 'shop' }),
      registry,
      scheduler, // the default rate limiter: 5 ms doubling per failure
      reconcile: ({ key }) => {
        attempts.push(`${scheduler.now()}: ${key}`);
        if (key === 'shop/bad' && attempts.filter((a) => a.endsWith(key)).length <= 3)
          throw new Error('boom');
      },
    });
    running.start();
    await advance(scheduler, 34);
    expect(attempts.filter((a) => a.endsWith('shop/bad'))).toEqual([
      '0: shop/bad',
      '5: shop/bad', // +5 ms
      '15: shop/bad', // +10 ms
    ]);
    await advance(scheduler, 1);
    await advance(scheduler, 60_000);
    expect(attempts.filter((a) => a.endsWith('shop/bad'))).toEqual([
      '0: shop/bad',
      '5: shop/bad',
      '15: shop/bad',
      '35: shop/bad', // +20 ms, then it succeeds and is not retried again
    ]);
    expect(attempts.filter((a) => a.endsWith('shop/good'))).toEqual(['0: shop/good']);
    const text = await registry.metrics();
    expect(text).toContain('controller_runtime_reconcile_total{controller="flaky",result="error"} 3');
    expect(text).toContain('controller_runtime_reconcile_total{controller="flaky",result="success"} 2');
    expect(text).toContain('controller_runtime_reconcile_errors_total{controller="flaky"} 3');
    expect(text).toContain('workqueue_retries_total{name="flaky"} 3');
    expect(text).toContain('controller_runtime_reconcile_time_seconds_count{controller="flaky"} 5');
  });

  it('requeues after the delay a reconcile asks for', async () => {
    cluster.create(ConfigMaps, cm('poll'));
    const times: number[] = [];
    running = controller({
      name: 'poll',
      for: factory.informer(ConfigMaps, { namespace: 'shop' }),
      scheduler,
      reconcile: () => {
        times.push(scheduler.now());
        return times.length < 3 ? { requeueAfterMs: 50 } : undefined;
      },
    });
    running.start();
    await advance(scheduler, 49);
    expect(times).toEqual([0]);
    await advance(scheduler, 1);
    expect(times).toEqual([0, 50]);
    await advance(scheduler, 60_000);
    expect(times).toEqual([0, 50, 100]);
  });

  it('aborts the signal of an in-flight reconcile superseded by a newer event, then reconciles the new state', async () => {
    cluster.create(ConfigMaps, cm('slow', { v: '1' }));
    const runs: { at: number; request: ReconcileRequest<ConfigMap> }[] = [];
    let aborted: unknown;
    running = controller<ConfigMap>({
      name: 'slow',
      for: factory.informer<ConfigMap>(ConfigMaps, { namespace: 'shop' }),
      scheduler,
      reconcile: (request) => {
        runs.push({ at: scheduler.now(), request });
        if (runs.length > 1) return;
        return new Promise<void>((_, reject) =>
          request.signal.addEventListener('abort', () => reject((aborted = request.signal.reason)), {
            once: true,
          }),
        );
      },
    });
    running.start();
    await advance(scheduler, 1_000);
    expect(runs.map((r) => r.at)).toEqual([0]);
    expect(runs[0]!.request.signal.aborted).toBe(false);
    cluster.patch(ConfigMaps, 'slow', { data: { v: '2' } }, { namespace: 'shop' });
    await advance(scheduler, 0);
    expect(runs.map((r) => r.at)).toEqual([0, 1_000]);
    expect(String(aborted)).toContain('superseded');
    expect(runs[1]!.request.object?.data?.['v']).toBe('2');
  });

  it('reconciles only while the ownership allows, and only the keys it allows', async () => {
    for (const name of ['a', 'b', 'c']) cluster.create(ConfigMaps, cm(name));
    const ownership$ = new BehaviorSubject<KeyFilter | undefined>(undefined);
    let stopped = false;
    const ownership: KeyOwnership = {
      ownership$,
      start: () => undefined,
      stop: async () => void (stopped = true),
    };
    const keys: string[] = [];
    const cms = factory.informer<ConfigMap>(ConfigMaps, { namespace: 'shop' });
    const c = controller({
      name: 'owned',
      for: cms,
      ownership,
      scheduler,
      reconcile: ({ key }) => void keys.push(key),
    });
    running = c;
    c.start();
    await advance(scheduler, 1_000);
    expect(cms.store.size).toBe(3); // synced, yet not owned
    expect(keys).toEqual([]);
    ownership$.next((key) => key !== 'shop/b');
    await advance(scheduler, 0);
    expect([...keys].sort()).toEqual(['shop/a', 'shop/c']);
    ownership$.next(undefined);
    await advance(scheduler, 0);
    expect(c.status.phase).not.toBe('active');
    cluster.patch(ConfigMaps, 'a', { data: { x: '1' } }, { namespace: 'shop' });
    await advance(scheduler, 1_000);
    expect(cms.store.get('shop/a')?.data).toEqual({ x: '1' }); // the event arrived …
    expect(keys).toHaveLength(2); // … and queued nothing while inactive
    ownership$.next(() => true); // gaining ownership queues every cached key
    await advance(scheduler, 0);
    expect(keys.slice(2).sort()).toEqual(['shop/a', 'shop/b', 'shop/c']);
    await stop(c);
    running = undefined;
    expect(stopped).toBe(true);
  });

  it('stops with drain after finishing queued work, and without drain by aborting in-flight reconciles', async () => {
    for (let i = 0; i < 4; i++) cluster.create(ConfigMaps, cm(`d-${i}`));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const done: string[] = [];
    const c = controller({
      name: 'drain',
      for: factory.informer(ConfigMaps, { namespace: 'shop' }),
      scheduler,
      reconcile: async ({ key }) => {
        await gate;
        done.push(key);
      },
    });
    c.start();
    await advance(scheduler, 0);
    expect(c.status.phase).toBe('active');
    expect(done).toEqual([]); // one reconcile waits at the gate, three keys are queued
    const stopping = c.stop({ drain: true });
    release();
    await advance(scheduler, 0);
    await stopping;
    expect([...done].sort()).toEqual(['shop/d-0', 'shop/d-1', 'shop/d-2', 'shop/d-3']);

    const signals: AbortSignal[] = [];
    const c2 = controller({
      name: 'abort',
      for: factory.informer(ConfigMaps, { namespace: 'shop' }),
      concurrency: 2,
      scheduler,
      reconcile: untilAborted(signals),
    });
    c2.start();
    await advance(scheduler, 1_000);
    expect(signals).toHaveLength(2);
    expect(signals.some((s) => s.aborted)).toBe(false);
    await stop(c2);
    expect(signals.every((s) => s.aborted)).toBe(true);
    expect(signals).toHaveLength(2); // the two queued keys were handed back, not started
  });

  it('stops when its factory is shut down under it: in-flight reconciles aborted, done resolved', async () => {
    cluster.create(ConfigMaps, cm('s-0'));
    const signals: AbortSignal[] = [];
    const c = controller({
      name: 'shutdown',
      for: factory.informer(ConfigMaps, { namespace: 'shop' }),
      scheduler,
      reconcile: untilAborted(signals),
    });
    running = c;
    c.start();
    await advance(scheduler, 1_000);
    expect(signals).toHaveLength(1);
    expect(signals[0]!.aborted).toBe(false);
    factory.shutdown();
    await advance(scheduler, 0);
    await c.done;
    expect(c.status.phase).toBe('stopped');
    expect(signals[0]!.aborted).toBe(true);
  });
});
