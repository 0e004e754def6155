import type { Observable } from 'rxjs';
import type { KubeStatus } from '../errors.js';
import type { KubeObject } from '../resources/kube-object.js';

/**
 * One page of a LIST response.
 *
 * @example
 * ```ts
 * const lw = transport.listerWatcher(Pods, { namespace: 'shop' });
 * lw.list({ limit: 500 }).subscribe((page) => console.log(page.items.length, page.continue));
 * ```
 */
export interface ListPage<T extends KubeObject> {
  readonly items: T[];
  readonly resourceVersion: string;
  /** The token for the next page; undefined on the last page. */
  readonly continue: string | undefined;
  /** How many objects the server had left after this page, when it says. */
  readonly remainingItemCount: number | undefined;
}

/**
 * Query parameters of a LIST request.
 *
 * @example
 * ```ts
 * const first: ListParams = { limit: 500, resourceVersion: '0' };
 * ```
 */
export interface ListParams {
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'NotOlderThan' | 'Exact';
}

/**
 * Query parameters of a WATCH request.
 *
 * @example
 * ```ts
 * const params: WatchParams = { resourceVersion: '1234', timeoutSeconds: 420, allowWatchBookmarks: true };
 * ```
 */
export interface WatchParams {
  resourceVersion?: string;
  timeoutSeconds: number;
  allowWatchBookmarks: boolean;
  /** Streaming list: send the current objects as ADDED first, then a bookmark marking the end. */
  sendInitialEvents?: boolean;
  resourceVersionMatch?: 'NotOlderThan' | 'Exact';
}

/**
 * One event of a watch stream, as the server framed it.
 *
 * @example
 * ```ts
 * const ev: WatchEvent<KubeObject> = { type: 'BOOKMARK', object: { metadata: { resourceVersion: '99' } } };
 * ```
 */
export type WatchEvent<T extends KubeObject> =
  | { readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; readonly object: T }
  | { readonly type: 'ERROR'; readonly object: KubeStatus };

/**
 * The two requests a reflector makes, bound to one resource and scope (client-go's
 * `ListerWatcher`). Both are cold: subscribing sends the request, unsubscribing aborts it.
 * Failures arrive as typed errors on the observable.
 *
 * @example
 * ```ts
 * const lw = transport.listerWatcher(Pods, { namespace: 'shop' });
 * lw.watch({ timeoutSeconds: 60, allowWatchBookmarks: true }).subscribe((e) => console.log(e.type));
 * ```
 */
export interface ListerWatcher<T extends KubeObject> {
  list(params: ListParams): Observable<ListPage<T>>;
  watch(params: WatchParams): Observable<WatchEvent<T>>;
}
