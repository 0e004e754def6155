import { describe, expect, it } from 'vitest';
import { deploymentTable, nodeTable, podTable } from './rows.js';

describe('table rows', () => {
  it('shows a waiting reason instead of the phase, and counts ready containers and restarts', () => {
    const row = podTable.toRow({
      metadata: { name: 'web-1', namespace: 'shop', creationTimestamp: '2026-01-01T00:00:00Z' },
      spec: { containers: [{ name: 'a' }, { name: 'b' }], nodeName: 'node-1' },
      status: {
        phase: 'Running',
        containerStatuses: [
          { name: 'a', ready: true, restartCount: 0, image: 'x', imageID: 'x' },
          {
            name: 'b',
            ready: false,
            restartCount: 7,
            image: 'x',
            imageID: 'x',
            state: { waiting: { reason: 'CrashLoopBackOff' } },
          },
        ],
      },
    });
    expect(row).toEqual({
      key: 'shop/web-1',
      cells: ['shop', 'web-1', 'CrashLoopBackOff', '1/2', '7', 'node-1'],
      created: Date.UTC(2026, 0, 1),
      tone: 'bad',
    });
  });

  it('marks a pod that is not ready as a warning, and a healthy one as ok', () => {
    const pending = podTable.toRow({
      metadata: { name: 'p', namespace: 'shop' },
      spec: { containers: [{ name: 'a' }] },
      status: { phase: 'Pending' },
    });
    expect(pending.cells.slice(2, 4)).toEqual(['Pending', '0/1']);
    expect(pending.tone).toBe('warn');
  });

  it('shows deployment readiness and node conditions', () => {
    expect(
      deploymentTable.toRow({
        metadata: { name: 'web', namespace: 'shop' },
        spec: { replicas: 3, selector: {}, template: {} },
        status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
      }),
    ).toMatchObject({
      cells: ['shop', 'web', '2/3', '3', '2'],
      tone: 'warn',
    });
    expect(
      nodeTable.toRow({
        metadata: { name: 'n1' },
        spec: { unschedulable: true },
        status: { conditions: [{ type: 'Ready', status: 'True' }], capacity: { cpu: '4', memory: '8Gi' } },
      }),
    ).toMatchObject({
      key: 'n1',
      cells: ['n1', 'Ready,SchedulingDisabled', '4', '8Gi', ''],
      tone: 'warn',
    });
  });
});
