import type { ServerResponse } from 'node:http';
import { StatusErrors, type KubeStatus } from '../api/status.js';
import type { StoreEvent } from '../store/event-history.js';
import type { StoredVersion } from '../store/stored-version.js';
import type { ServedResource } from '../store/served-resource.js';
import { tooLargeResourceVersion, selectorPredicate } from './list-handler.js';
import type { ListOptions } from './list-options.js';
import type { ServerContext } from './server-context.js';
import { Watcher } from './watcher.js';

/** What a watch sends first: replayed history, or the current state as ADDED (and the end bookmark). */
export interface WatchStart {
  readonly events?: readonly StoreEvent[];
  readonly objects?: readonly StoredVersion[];
  readonly initialEventsEnd?: number;
}

/** Where a watch starts: its start RV and first events, or the 410 Status for a too old RV. */
export type WatchPlan =
  | { readonly startRv: number; readonly expired: KubeStatus; readonly initial?: undefined }
  | { readonly startRv: number; readonly expired?: undefined; readonly initial: WatchStart };

/**
 * Plans a WATCH: from a resourceVersion (replaying the history window, or a 410 when it is
 * older than the window), or from the current state as synthetic ADDED events
 * (`resourceVersion` unset or `0`, or `sendInitialEvents=true`, which ends them with the
 * `k8s.io/initial-events-end` bookmark). Throws 504 for a resourceVersion not reached yet.
 * Subscribe to the table in the same tick, so no event is lost or doubled.
 */
export function planWatch(
  served: ServedResource,
  currentRv: number,
  namespace: string | undefined,
  options: ListOptions,
): WatchPlan {
  const requested = options.resourceVersion === undefined ? undefined : Number(options.resourceVersion);
  if (requested !== undefined && requested > currentRv) throw tooLargeResourceVersion(requested, currentRv);
  const startRv =
    requested === undefined || requested === 0 || options.sendInitialEvents === true ? currentRv : requested;
  const table = served.table;
  const fromState =
    options.sendInitialEvents === true ||
    (options.sendInitialEvents === undefined && (requested === undefined || requested === 0));
  if (!fromState && requested !== undefined && requested !== 0 && requested < table.history.floor) {
    const expired = StatusErrors.gone(
      `too old resource version: ${requested} (${table.history.floor})`,
    ).status;
    return { startRv, expired };
  }
  if (fromState) {
    const predicate = selectorPredicate(options);
    const page = table.snapshot({ rv: currentRv, namespace, predicate });
    return {
      startRv,
      initial: {
        objects: page.items,
        ...(options.sendInitialEvents === true ? { initialEventsEnd: currentRv } : {}),
      },
    };
  }
  return {
    startRv,
    initial: { events: requested === undefined || requested === 0 ? [] : table.history.since(requested) },
  };
}

/** Serves a WATCH as {@link planWatch} plans it, then live events. */
export async function serveWatch(
  ctx: ServerContext,
  res: ServerResponse,
  served: ServedResource,
  namespace: string | undefined,
  options: ListOptions,
  representation: 'object' | 'partial',
): Promise<void> {
  const { store, settings, faults } = ctx;
  const plan = planWatch(served, store.rv, namespace, options);
  const timeoutSeconds = options.timeoutSeconds ?? settings.defaultWatchTimeoutSeconds;
  const watcher = new Watcher(
    res,
    {
      served,
      namespace,
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
      representation,
      bookmarks: options.allowWatchBookmarks,
      bookmarkIntervalMs: settings.bookmarkIntervalMs,
      startRv: plan.startRv,
      timeoutMs: timeoutSeconds * 1000,
      slowThresholdBytes: settings.slowWatcherBytes,
    },
    {
      currentRv: () => store.rv,
      takeLineFault: (w) => faults.takeLineFault(w),
      isStalled: (w) => faults.isStalled(w),
      closed: (w) => {
        served.table.listeners.delete(w.onEvent);
        if (ctx.watchers.delete(w)) ctx.watchersChanged();
      },
    },
  );
  if (plan.expired !== undefined) {
    // The real server answers 200 and one ERROR event rather than an HTTP error.
    await watcher.start({});
    watcher.fail(plan.expired);
    return;
  }
  const table = served.table;
  table.listeners.add(watcher.onEvent);
  const retire = (): void => watcher.end('server');
  table.retireListeners.add(retire);
  res.on('close', () => table.retireListeners.delete(retire));
  ctx.watchers.add(watcher);
  ctx.watchersChanged();
  await watcher.start(plan.initial);
}
