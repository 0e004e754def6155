import { UserCodeError, type UserCodeSite } from './errors.js';
import { objectKey, type KubeObject } from './resources/kube-object.js';

/**
 * What an adapter's `onError` option gets: the failure of a user's callback as a
 * {@link UserCodeError}, and how many failures this subscription has seen so far.
 *
 * @example
 * ```ts
 * const onError: UserCodeErrorHandler = (e, n) => n % 1000 === 1 && console.warn(e.message, n);
 * ```
 */
export type UserCodeErrorHandler = (error: UserCodeError, failures: number) => void;

/**
 * Reports one failure of user code: `source` names the callback (`'rateLimit merge'`), `value`
 * is what it was handling (named by its key only), `cause` is what it threw.
 *
 * @example
 * ```ts
 * const report: UserCodeReporter = userCodeReporter((e, n) => console.warn(e.message, n));
 * report('myOperator key', event, new TypeError('returned a number, not a string'));
 * ```
 */
export type UserCodeReporter = (source: string, value: unknown, cause: unknown) => void;

const OBJECT_EVENT_TYPES: ReadonlySet<unknown> = new Set(['ADDED', 'MODIFIED', 'DELETED', 'RESYNC']);

/**
 * The key (`namespace/name`) a failure report names a value by: that of the object of an
 * informer event (ADDED, MODIFIED, DELETED, RESYNC), or of a Kubernetes object (anything with
 * `metadata`); `undefined` for anything else (SYNCED, a batch, a string) and for an object
 * without a name. Never the value's content, and it never throws: a value whose fields cannot
 * be read is named by nothing.
 *
 * @example
 * ```ts
 * keyOfValue({ type: 'MODIFIED', object: pod, previous: pod }); // 'shop/web-1'
 * keyOfValue({ metadata: { name: 'node-a' } }); // 'node-a'
 * keyOfValue({ type: 'SYNCED', size: 3, resourceVersion: '9' }); // undefined
 * ```
 *
 * @see {@link userCodeReporter}
 */
export function keyOfValue(value: unknown): string | undefined {
  try {
    if (value === null || typeof value !== 'object') return undefined;
    const { type, object } = value as { type?: unknown; object?: unknown };
    let key: unknown;
    if (OBJECT_EVENT_TYPES.has(type) && object !== null && typeof object === 'object')
      key = objectKey(object as KubeObject);
    else if ('metadata' in value) key = objectKey(value as KubeObject);
    return typeof key === 'string' && key !== '' ? key : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A reporter of user-code failures for one subscription of an adapter: each call counts a
 * failure and hands `onError` a {@link UserCodeError} of `site` (default `'callback'`) whose
 * `source` is the reporter's first argument, whose `objectKey` is {@link keyOfValue} of the
 * value, and whose `cause` is the throw. Failures are counted with or without `onError`. A
 * throwing `onError` is ignored: there is nothing left to report to, and the stream goes on.
 * Create one per subscription, so that the count is that subscription's; reporting costs
 * nothing until something fails.
 *
 * @example
 * ```ts
 * import { defer, tap, type MonoTypeOperatorFunction } from 'rxjs';
 * import { userCodeReporter, type UserCodeErrorHandler } from '@rxinformer/core';
 *
 * const tapSafely = <V>(fn: (v: V) => void, onError?: UserCodeErrorHandler): MonoTypeOperatorFunction<V> =>
 *   (source) =>
 *     defer(() => {
 *       const report = userCodeReporter(onError);
 *       return source.pipe(tap((v) => { try { fn(v); } catch (err) { report('tapSafely fn', v, err); } }));
 *     });
 * ```
 *
 * @see {@link keyOfValue}
 * @see {@link UserCodeError}
 */
export function userCodeReporter(
  onError: UserCodeErrorHandler | undefined,
  site: UserCodeSite = 'callback',
): UserCodeReporter {
  let failures = 0;
  return (source, value, cause) => {
    failures++;
    if (onError === undefined) return;
    try {
      onError(new UserCodeError(site, keyOfValue(value), cause, { source }), failures);
    } catch {
      // See above.
    }
  };
}
