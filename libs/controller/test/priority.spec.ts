// The controller's priorities: keys of objects that changed are reconciled before keys queued
// only by the initial list, and a failing key's retries keep its priority.
import { ConfigMaps, type KubeObject } from '@rxinformer/core';
import { describe, expect, it } from 'vitest';
import { controller, type ReconcileRequest } from '@rxinformer/controller';
import { FakeInformer } from './support/fake-informer.js';

const cm = (name: string, v = '0') => ({ metadata: { name, namespace: 'shop' }, data: { v } });
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('controller priorities', () => {
  it('reconciles a key whose object changed before the keys of the initial list', async () => {
    const cms = new FakeInformer(ConfigMaps);
    for (const name of ['a', 'b', 'c', 'd']) cms.put(cm(name));
    const order: string[] = [];
    let release!: () => void;
    const first = new Promise<void>((resolve) => (release = resolve));
    const c = controller<KubeObject>({
      name: 'priorities',
      for: cms,
      concurrency: 1,
      reconcile: async ({ key }: ReconcileRequest<KubeObject>) => {
        order.push(key);
        if (order.length === 1) await first; // hold the worker while the change arrives
      },
    });
    c.start();
    cms.sync();
    await settle();
    expect(order).toEqual(['shop/a']);
    cms.put(cm('d', '1')); // changed while b, c and d wait as listed
    release();
    for (let i = 0; i < 10 && order.length < 4; i++) await settle();
    expect(order).toEqual(['shop/a', 'shop/d', 'shop/b', 'shop/c']);
    expect(c.status.reconciles).toBe(4); // the status counts every reconcile started
    await c.stop();
  });
});
