import { objectKey } from '@rxinformer/core';
import { isObjectEvent } from './net-change.js';

/**
 * The default key of the per-key operators: `objectKey(event.object)` (`namespace/name`) for
 * informer events that carry an object, `undefined` (not keyed) for anything else, such as
 * SYNCED or a batch.
 *
 * @example
 * ```ts
 * eventKey({ type: 'ADDED', object: pod, initial: false }); // 'shop/web-1'
 * eventKey({ type: 'SYNCED', size: 3, resourceVersion: '9' }); // undefined
 * ```
 *
 * @see {@link throttleByKey}
 * @see {@link consumeWith}
 */
export function eventKey(value: unknown): string | undefined {
  return isObjectEvent(value) ? objectKey(value.object) : undefined;
}
