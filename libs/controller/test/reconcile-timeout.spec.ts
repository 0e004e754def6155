// reconcileTimeoutMs in virtual time: a reconcile that never settles frees its worker, keeps its
// key blocked (never two reconciles of one key, across ownership changes too) and bounds stop().
import { ConfigMaps, type KubeObject } from '@rxinformer/core';
import { BehaviorSubject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RECONCILE_TIMEOUT_MS,
  controller,
  type KeyFilter,
  type KeyOwnership,
  type ReconcileRequest,
} from '@rxinformer/controller';
import { FakeInformer } from './support/fake-informer.js';
import { virtualClock } from './support/virtual-clock.js';

const cm = (name: string) => ({ metadata: { name, namespace: 'shop' } });
const all: KeyFilter = () => true;

function setup(options: { reconcileTimeoutMs?: number } = {}) {
  const clock = virtualClock();
  const cms = new FakeInformer(ConfigMaps);
  cms.put(cm('hang'));
  const ownership$ = new BehaviorSubject<KeyFilter | undefined>(all);
  let ownershipStopped = false;
  const ownership: KeyOwnership = {
    ownership$,
    start: () => undefined,
    stop: async () => void (ownershipStopped = true),
  };
  const runs: { at: number; signal: AbortSignal }[] = [];
  let running = 0;
  let maxRunning = 0;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const c = controller<KubeObject>({
    name: 'timeouts',
    for: cms,
    ownership,
    scheduler: clock.scheduler,
    ...options,
    // Ignores its signal and settles only when the test releases it.
    reconcile: async ({ signal }: ReconcileRequest<KubeObject>) => {
      runs.push({ at: clock.now(), signal });
      maxRunning = Math.max(maxRunning, ++running);
      try {
        await released;
      } finally {
        running--;
      }
    },
  });
  c.start();
  cms.sync();
  return {
    clock,
    c,
    runs,
    ownership$,
    release,
    maxRunning: () => maxRunning,
    ownershipStopped: () => ownershipStopped,
  };
}

describe('reconcileTimeoutMs (virtual time)', () => {
  it(`aborts by default after ${DEFAULT_RECONCILE_TIMEOUT_MS / 60_000} minutes; 0 turns the limit off`, async () => {
    const bounded = setup();
    await bounded.clock.advance(DEFAULT_RECONCILE_TIMEOUT_MS - 1);
    expect(bounded.runs[0]!.signal.aborted).toBe(false);
    await bounded.clock.advance(1);
    expect((bounded.runs[0]!.signal.reason as Error).name).toBe('TimeoutError');
    expect(bounded.c.status).toMatchObject({ reconcileTimeouts: 1, overdueReconciles: 1 });

    const unbounded = setup({ reconcileTimeoutMs: 0 });
    await unbounded.clock.advance(10 * DEFAULT_RECONCILE_TIMEOUT_MS);
    expect(unbounded.runs[0]!.signal.aborted).toBe(false);
    expect(unbounded.c.status.reconcileTimeouts).toBe(0);
    bounded.release();
    unbounded.release();
    await Promise.all([bounded.c.stop(), unbounded.c.stop()]);
  });

  it('stop() waits for a reconcile that ignores its abort only until its timeout, then releases the ownership', async () => {
    const { clock, c, runs, ownershipStopped } = setup({ reconcileTimeoutMs: 5_000 });
    await clock.advance(1_000);
    let stopped = false;
    void c.stop().then(() => (stopped = true));
    await clock.advance(3_999);
    expect(runs[0]!.signal.aborted).toBe(true); // aborted by stop() at once
    expect(stopped).toBe(false); // and given the rest of its time budget
    await clock.advance(1);
    expect(stopped).toBe(true);
    expect(ownershipStopped()).toBe(true);
    expect(c.status).toMatchObject({ phase: 'stopped', overdueReconciles: 1 });
    await expect(c.done).resolves.toBeUndefined();
  });

  it('keeps an overdue key blocked across a loss and regain of ownership: never two reconciles of one key', async () => {
    const { clock, c, runs, ownership$, release, maxRunning } = setup({ reconcileTimeoutMs: 1_000 });
    await clock.advance(1_000); // timed out: the worker is free, the key still blocked
    expect(c.status.overdueReconciles).toBe(1);
    ownership$.next(undefined); // lost: the workers stop
    await clock.advance(100);
    expect(c.status.phase).toBe('standby');
    ownership$.next(all); // regained: every cached key is queued again, shop/hang too
    await clock.advance(10_000);
    expect(c.status.phase).toBe('active');
    expect(runs).toHaveLength(1); // not started again while the first one hangs
    release();
    await clock.advance(0);
    expect(runs).toHaveLength(2); // queued again as soon as the hung one settled
    expect(maxRunning()).toBe(1);
    expect(c.status.overdueReconciles).toBe(0);
    await c.stop();
  });
});
