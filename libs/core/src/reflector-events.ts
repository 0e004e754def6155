import type { KubeObject } from './resources/kube-object.js';

/**
 * What a reflector tells the cache, in the style of kube-rs's watcher events: an explicit
 * list phase (start, items, done) so the cache can diff a relist against what it holds, then
 * the watch's changes and bookmarks (outside a streaming list, whose closing bookmark is its
 * `list-done`).
 */
export type ReflectorEvent<T extends KubeObject> =
  /** A LIST (or streaming list) begins; `relist` is false only for the first one. */
  | { readonly type: 'list-start'; readonly relist: boolean }
  | { readonly type: 'list-item'; readonly object: T }
  /** Every object of the list has been delivered. */
  | { readonly type: 'list-done'; readonly resourceVersion: string }
  | { readonly type: 'added' | 'modified' | 'deleted'; readonly object: T }
  /** A watch BOOKMARK: the cache is current up to this resourceVersion. */
  | { readonly type: 'bookmark'; readonly resourceVersion: string };
