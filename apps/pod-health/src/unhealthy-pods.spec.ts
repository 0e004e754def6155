import { describe, expect, it } from 'vitest';
import type { Pod } from './pod-problems.js';
import { UnhealthyPods } from './unhealthy-pods.js';

const crashing = (name: string): Pod => ({
  metadata: { name, namespace: 'shop' },
  spec: { nodeName: 'node-1', containers: [] },
  status: {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: 'True' }],
    containerStatuses: [
      {
        name: 'web',
        ready: false,
        restartCount: 1,
        image: '',
        imageID: '',
        state: { waiting: { reason: 'CrashLoopBackOff' } },
      },
    ],
  },
});
const healthy = (name: string): Pod => ({
  metadata: { name, namespace: 'shop' },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
});
const notReadySince = (name: string, at: string): Pod => ({
  metadata: { name, namespace: 'shop' },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: at }] },
});

describe('UnhealthyPods', () => {
  it('reports unhealthy pods sorted, with what is new and what recovered since the last report', () => {
    const tracker = new UnhealthyPods({ restarts: 5, notReadyMs: 60_000 });
    tracker.apply({ type: 'ADDED', object: crashing('b'), initial: true });
    tracker.apply({ type: 'ADDED', object: crashing('a'), initial: true });
    tracker.apply({ type: 'ADDED', object: healthy('c'), initial: true });
    const first = tracker.report(0);
    expect(first.pods).toBe(3);
    expect(first.unhealthy.map((u) => [u.pod, u.node, u.problems.map((p) => p.reason)])).toEqual([
      ['shop/a', 'node-1', ['CrashLoopBackOff']],
      ['shop/b', 'node-1', ['CrashLoopBackOff']],
    ]);
    expect(first.newlyUnhealthy).toEqual(['shop/a', 'shop/b']);

    tracker.apply({ type: 'MODIFIED', object: healthy('a'), previous: crashing('a') });
    tracker.apply({ type: 'DELETED', object: crashing('b'), finalStateUnknown: false });
    tracker.apply({ type: 'MODIFIED', object: crashing('c'), previous: healthy('c') });
    const second = tracker.report(0);
    expect(second).toMatchObject({ pods: 2, newlyUnhealthy: ['shop/c'], recovered: ['shop/a', 'shop/b'] });

    const third = tracker.report(0);
    expect(third).toMatchObject({ newlyUnhealthy: [], recovered: [] });
    expect(third.unhealthy.map((u) => u.pod)).toEqual(['shop/c']);
  });

  it('reports a not-ready pod once it has been unready for longer than the threshold', () => {
    const tracker = new UnhealthyPods({ restarts: 5, notReadyMs: 60_000 });
    const since = Date.UTC(2026, 0, 1);
    tracker.apply({
      type: 'ADDED',
      object: notReadySince('slow', new Date(since).toISOString()),
      initial: false,
    });
    expect(tracker.report(since + 30_000).unhealthy).toEqual([]);
    expect(tracker.report(since + 61_000)).toMatchObject({
      newlyUnhealthy: ['shop/slow'],
      unhealthy: [{ pod: 'shop/slow', problems: [{ reason: 'NotReady' }] }],
    });
  });
});
