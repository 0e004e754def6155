import type { InformerEvent, KubeObject } from '@rxinformer/core';
import { asyncScheduler, interval, Subscription, type Observable, type SchedulerLike } from 'rxjs';

/**
 * One frame of the initial-sync progress bar: a filled bar with a percentage when the total is
 * known, else a block sliding back and forth (`frame` moves it) and "total unknown".
 *
 * @example
 * ```ts
 * progressLine('pods', 1234, undefined, 3); // 'syncing pods [   ====              ] 1,234 received (total unknown)'
 * progressLine('pods', 50, 200, 0);         // 'syncing pods [=====               ] 50/200 (25%)'
 * ```
 */
export function progressLine(
  label: string,
  received: number,
  total: number | undefined,
  frame: number,
  width = 20,
): string {
  const count = received.toLocaleString('en-US');
  if (total !== undefined && total > 0) {
    const done = Math.min(width, Math.round((received / total) * width));
    return `syncing ${label} [${'='.repeat(done)}${' '.repeat(width - done)}] ${count}/${total.toLocaleString('en-US')} (${Math.floor((received / total) * 100)}%)`;
  }
  const block = 4;
  const span = width - block;
  const step = frame % (2 * span);
  const at = step <= span ? step : 2 * span - step;
  return `syncing ${label} [${' '.repeat(at)}${'='.repeat(block)}${' '.repeat(span - at)}] ${count} received (total unknown)`;
}

/**
 * Shows a progress bar on a TTY stream while an informer's first LIST arrives: it counts the
 * initial ADDED events (the LIST's total is not known to the informer) and redraws ten times a
 * second; on SYNCED it replaces the bar with `synced N pods in 1.2 s`. Unsubscribe to stop early.
 *
 * @example
 * ```ts
 * const progress = showSyncProgress(pods.events$, process.stderr, 'pods');
 * ```
 */
export function showSyncProgress(
  events$: Observable<InformerEvent<KubeObject>>,
  stream: NodeJS.WriteStream,
  label: string,
  scheduler: SchedulerLike = asyncScheduler,
): Subscription {
  const started = scheduler.now();
  let received = 0;
  let frame = 0;
  const subscription = new Subscription();
  const draw = (): void => {
    stream.write(`\r${progressLine(label, received, undefined, frame++)}\x1b[K`);
  };
  subscription.add(interval(100, scheduler).subscribe(draw));
  subscription.add(
    events$.subscribe((event) => {
      if (event.type === 'ADDED' && event.initial) received++;
      if (event.type === 'SYNCED') {
        const seconds = ((scheduler.now() - started) / 1000).toFixed(1);
        stream.write(`\rsynced ${event.size.toLocaleString('en-US')} ${label} in ${seconds} s\x1b[K\n`);
        subscription.unsubscribe();
      }
    }),
  );
  return subscription;
}
