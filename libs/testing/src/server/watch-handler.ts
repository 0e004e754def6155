import type { ServerResponse } from 'node:http';
import { StatusErrors } from '../api/status.js';
import type { ServedResource } from '../store/served-resource.js';
import { tooLargeResourceVersion, selectorPredicate } from './list-handler.js';
import type { ListOptions } from './list-options.js';
import type { ServerContext } from './server-context.js';
import { Watcher } from './watcher.js';

/**
 * Serves a WATCH: from a resourceVersion (replaying the history window, or one ERROR 410 event
 * when it is older than the window), or from the current state as synthetic ADDED events
 * (`resourceVersion` unset or `0`, or `sendInitialEvents=true`, which ends them with the
 * `k8s.io/initial-events-end` bookmark), then live events.
 */
export async function serveWatch(
  ctx: ServerContext,
  res: ServerResponse,
  served: ServedResource,
  namespace: string | undefined,
  options: ListOptions,
  representation: 'object' | 'partial',
): Promise<void> {
  const { store, settings, faults } = ctx;
  const currentRv = store.rv;
  const requested = options.resourceVersion === undefined ? undefined : Number(options.resourceVersion);
  if (requested !== undefined && requested > currentRv) throw tooLargeResourceVersion(requested, currentRv);
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
      startRv:
        requested === undefined || requested === 0 || options.sendInitialEvents === true
          ? currentRv
          : requested,
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
  const table = served.table;
  const fromState =
    options.sendInitialEvents === true ||
    (options.sendInitialEvents === undefined && (requested === undefined || requested === 0));
  if (!fromState && requested !== undefined && requested !== 0 && requested < table.history.floor) {
    // The real server answers 200 and one ERROR event rather than an HTTP error.
    await watcher.start({});
    watcher.fail(StatusErrors.gone(`too old resource version: ${requested} (${table.history.floor})`).status);
    return;
  }
  // Taking the initial state and subscribing happen in the same tick: no event is lost or doubled.
  let initial: Parameters<Watcher['start']>[0];
  if (fromState) {
    const predicate = selectorPredicate(options);
    const page = table.snapshot({ rv: currentRv, namespace, predicate });
    initial = {
      objects: page.items,
      ...(options.sendInitialEvents === true ? { initialEventsEnd: currentRv } : {}),
    };
  } else {
    initial = { events: requested === undefined || requested === 0 ? [] : table.history.since(requested) };
  }
  table.listeners.add(watcher.onEvent);
  const retire = (): void => watcher.end('server');
  table.retireListeners.add(retire);
  res.on('close', () => table.retireListeners.delete(retire));
  ctx.watchers.add(watcher);
  ctx.watchersChanged();
  await watcher.start(initial);
}
