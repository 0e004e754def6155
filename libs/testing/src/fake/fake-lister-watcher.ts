import {
  resourceName,
  resourcePath,
  type KubeObject,
  type ListPage,
  type ListParams,
  type ListerWatcher,
  type RequestContext,
  type ResourceDescriptor,
  type TransportScope,
  type WatchEvent,
  type WatchParams,
} from '@rxinformer/core';
import type { SchedulerLike } from 'rxjs';
import type { Faults } from '../faults/fault-injector.js';
import { selectorPredicate } from '../server/list-handler.js';
import { parseListOptions } from '../server/list-options.js';
import { planWatch } from '../server/watch-handler.js';
import type { ObjectStore } from '../store/object-store.js';
import { listDocument, searchParams } from './fake-list.js';
import type { FakePipeline } from './fake-pipeline.js';
import { FakeWatch, type FakeWatchHost } from './fake-watch.js';

/** What a fake lister-watcher shares with its cluster. */
export interface FakeListerWatcherHost {
  readonly store: ObjectStore;
  readonly scheduler: SchedulerLike;
  readonly pipeline: FakePipeline;
  readonly faults: Faults;
  /** Every open watch, for faults and bookmarks. */
  readonly watches: Set<FakeWatch>;
}

/** The real server's default watch timeout when the client sends none (`--min-request-timeout`). */
const DEFAULT_WATCH_TIMEOUT_SECONDS = 1800;

/**
 * A {@link ListerWatcher} on a fake cluster's store: LIST pages (limit, continue, selectors,
 * metadata-only) and WATCH from a resourceVersion (history replay, 410 as an ERROR event when
 * it is too old, streaming lists with `sendInitialEvents`), each answer and event an action on
 * the cluster's scheduler. A watch ends at its `timeoutSeconds`, in virtual time.
 */
export function fakeListerWatcher<T extends KubeObject>(
  host: FakeListerWatcherHost,
  resource: ResourceDescriptor<T>,
  scope: TransportScope,
): ListerWatcher<T> {
  const namespace = resource.namespaced ? scope.namespace || undefined : undefined;
  const where = { resource: resourceName(resource), namespace };
  const listContext: RequestContext = { verb: 'list', ...where };
  const watchContext: RequestContext = { verb: 'watch', ...where };
  const selectors = { labelSelector: scope.labelSelector, fieldSelector: scope.fieldSelector };
  const metadataOnly = scope.metadataOnly === true;
  const path = resourcePath(resource, namespace);
  const info = (watch: boolean) => ({
    method: 'GET',
    verb: watch ? ('watch' as const) : ('list' as const),
    path,
    watch,
    resource,
    namespace,
  });

  return {
    list: (params: ListParams) => {
      const query = searchParams({ ...selectors, ...params });
      return host.pipeline.answer<ListPage<T>>(
        { info: info(false), context: listContext, name: undefined, subresource: undefined, query },
        () => {
          const document = listDocument(
            host.store,
            host.store.resolve(resource),
            namespace,
            query,
            metadataOnly,
          );
          const page: ListPage<T> = {
            items: document.items as T[],
            resourceVersion: document.metadata.resourceVersion,
            continue: document.metadata.continue,
            remainingItemCount: document.metadata.remainingItemCount,
          };
          return { code: 200, body: page };
        },
      );
    },
    watch: (params: WatchParams) => {
      const query = searchParams({ ...selectors, watch: '1', ...params });
      const context = params.sendInitialEvents === true ? listContext : watchContext;
      return host.pipeline.stream<WatchEvent<T>>(
        { info: info(true), context, name: undefined, subresource: undefined, query },
        (subscriber) => {
          const served = host.store.resolve(resource);
          const options = parseListOptions(query, served, true);
          const plan = planWatch(served, host.store.rv, namespace, options);
          const watchHost: FakeWatchHost = {
            scheduler: host.scheduler,
            isStalled: (w) => host.faults.isStalled(w),
            takeLineFault: (w) => host.faults.takeLineFault(w),
            closed: (w) => {
              served.table.listeners.delete(w.onEvent);
              served.table.retireListeners.delete(retire);
              host.watches.delete(w as FakeWatch);
            },
          };
          const watch = new FakeWatch<T>(
            {
              served,
              namespace,
              predicate: selectorPredicate(options),
              metadataOnly,
              bookmarks: options.allowWatchBookmarks,
              context,
            },
            subscriber,
            watchHost,
          );
          const retire = (): void => watch.end();
          if (plan.expired !== undefined) {
            watch.fail(plan.expired);
            return () => watch.close();
          }
          // Taking the initial state and subscribing happen in the same action: nothing lost or doubled.
          served.table.listeners.add(watch.onEvent);
          served.table.retireListeners.add(retire);
          host.watches.add(watch as unknown as FakeWatch);
          const { initial } = plan;
          if (initial.objects !== undefined) watch.added(initial.objects);
          if (initial.initialEventsEnd !== undefined) watch.bookmark(initial.initialEventsEnd, true);
          for (const event of initial.events ?? []) watch.onEvent(event);
          const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_WATCH_TIMEOUT_SECONDS;
          const timeout =
            timeoutSeconds > 0
              ? host.scheduler.schedule(() => watch.end(), timeoutSeconds * 1000)
              : undefined;
          return () => {
            timeout?.unsubscribe();
            watch.close();
          };
        },
      );
    },
  };
}
