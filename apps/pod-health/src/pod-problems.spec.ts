import { describe, expect, it } from 'vitest';
import { formatDuration, podProblems, type Pod } from './pod-problems.js';

const NOW = Date.UTC(2026, 0, 1, 12);
const minutesAgo = (m: number) => new Date(NOW - m * 60_000).toISOString();
const thresholds = { restarts: 5, notReadyMs: 300_000 };

function pod(status: NonNullable<Pod['status']>): Pod {
  return { metadata: { name: 'web-1', namespace: 'shop' }, spec: { containers: [{ name: 'web' }] }, status };
}
const ready = (minutes: number, isReady = true) => [
  { type: 'Ready', status: isReady ? 'True' : 'False', lastTransitionTime: minutesAgo(minutes) },
];

describe('podProblems', () => {
  it('finds nothing wrong with a ready pod', () => {
    expect(
      podProblems(
        pod({
          phase: 'Running',
          conditions: ready(60),
          containerStatuses: [{ name: 'web', ready: true, restartCount: 5, image: '', imageID: '' }],
        }),
        NOW,
        thresholds,
      ),
    ).toEqual([]);
  });

  it('reports waiting reasons that keep a container from running, and restarts over the threshold', () => {
    const problems = podProblems(
      pod({
        phase: 'Running',
        conditions: ready(1, false),
        containerStatuses: [
          {
            name: 'web',
            ready: false,
            restartCount: 6,
            image: '',
            imageID: '',
            state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s' } },
          },
        ],
        initContainerStatuses: [
          {
            name: 'init',
            ready: false,
            restartCount: 0,
            image: '',
            imageID: '',
            state: { waiting: { reason: 'ErrImagePull' } },
          },
        ],
      }),
      NOW,
      thresholds,
    );
    expect(problems).toEqual([
      { reason: 'ErrImagePull', container: 'init', detail: 'ErrImagePull' },
      { reason: 'CrashLoopBackOff', container: 'web', detail: 'back-off 5m0s' },
      { reason: 'Restarts', container: 'web', detail: '6 restarts (more than 5)' },
    ]);
  });

  it('reports a pod not Ready for longer than the threshold, not one that just became unready', () => {
    expect(podProblems(pod({ phase: 'Running', conditions: ready(4, false) }), NOW, thresholds)).toEqual([]);
    expect(podProblems(pod({ phase: 'Running', conditions: ready(6, false) }), NOW, thresholds)).toEqual([
      { reason: 'NotReady', detail: 'not ready for 6m (more than 5m)' },
    ]);
    // Without a Ready condition (never scheduled), the clock starts at creation.
    const pending: Pod = {
      metadata: { name: 'p', creationTimestamp: minutesAgo(10) },
      status: { phase: 'Pending' },
    };
    expect(podProblems(pending, NOW, thresholds).map((p) => p.reason)).toEqual(['NotReady']);
  });

  it('reports failed pods, and leaves completed ones alone', () => {
    expect(podProblems(pod({ phase: 'Failed', reason: 'Evicted' }), NOW, thresholds)).toEqual([
      { reason: 'Failed', detail: 'Evicted' },
    ]);
    expect(podProblems(pod({ phase: 'Succeeded', conditions: ready(60, false) }), NOW, thresholds)).toEqual(
      [],
    );
  });
});

describe('formatDuration', () => {
  it('prints ages as kubectl does', () => {
    expect([45_000, 720_000, 3_900_000, 7_200_000, 3 * 86_400_000].map(formatDuration)).toEqual([
      '45s',
      '12m',
      '1h5m',
      '2h',
      '3d',
    ]);
  });
});
