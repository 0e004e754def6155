import type { InformerEvent, KubeObject } from '@rxinformer/core';
import { Subject, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { progressLine, showSyncProgress } from './sync-progress.js';

describe('progressLine', () => {
  it('slides a block while the total is unknown', () => {
    expect(progressLine('pods', 1234, undefined, 0, 10)).toBe(
      'syncing pods [====      ] 1,234 received (total unknown)',
    );
    expect(progressLine('pods', 1234, undefined, 3, 10)).toBe(
      'syncing pods [   ====   ] 1,234 received (total unknown)',
    );
    expect(progressLine('pods', 1234, undefined, 8, 10)).toBe(
      'syncing pods [    ====  ] 1,234 received (total unknown)',
    );
  });

  it('fills a bar when the total is known', () => {
    expect(progressLine('pods', 50, 200, 0, 8)).toBe('syncing pods [==      ] 50/200 (25%)');
  });
});

describe('showSyncProgress', () => {
  it('redraws while the LIST arrives and ends with a summary line on SYNCED', () => {
    const scheduler = new VirtualTimeScheduler(undefined, 350); // runs timers up to 350 ms
    const writes: string[] = [];
    const stream = { write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream;
    const events = new Subject<InformerEvent<KubeObject>>();
    const subscription = showSyncProgress(events, stream, 'pods', scheduler);
    for (let i = 0; i < 3; i++)
      events.next({ type: 'ADDED', object: { metadata: { name: `p${i}` } }, initial: true });
    scheduler.flush();
    expect(writes).toHaveLength(3); // at 100, 200 and 300 ms
    expect(writes[2]).toBe('\rsyncing pods [  ====              ] 3 received (total unknown)\x1b[K');
    events.next({ type: 'ADDED', object: { metadata: { name: 'p3' } }, initial: true });
    events.next({ type: 'SYNCED', size: 4, resourceVersion: '9' });
    expect(subscription.closed).toBe(true);
    expect(writes.at(-1)).toBe('\rsynced 4 pods in 0.3 s\x1b[K\n');
  });
});
