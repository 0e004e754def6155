import type { KubeObject, ObjectEvent } from '@rxinformer/core';

/**
 * The one event that has the effect of `pending` followed by `next` on the same object, or
 * `undefined` when they cancel out (an ADDED then a DELETED the consumer never saw).
 *
 * The rule: the object existed before unless `pending` is ADDED, and exists after unless
 * `next` is DELETED. Existed and exists: MODIFIED, `previous` being the state before
 * `pending` (a RESYNC, or a DELETED re-created, counts as that state), so a consumer compares
 * `previous.metadata.uid` to see a re-creation; RESYNC then RESYNC stays RESYNC. New and
 * exists: ADDED with the latest object (and the first `initial`). Existed and gone: `next`.
 */
export function mergeEvents<T extends KubeObject>(
  pending: ObjectEvent<T>,
  next: ObjectEvent<T>,
): ObjectEvent<T> | undefined {
  const existed = pending.type !== 'ADDED';
  if (next.type === 'DELETED') return existed ? next : undefined;
  if (!existed) return { type: 'ADDED', object: next.object, initial: pending.initial };
  if (pending.type === 'RESYNC' && next.type === 'RESYNC') return next;
  return {
    type: 'MODIFIED',
    object: next.object,
    previous: pending.type === 'MODIFIED' ? pending.previous : pending.object,
  };
}

const OBJECT_EVENT_TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED', 'RESYNC']);

/** Whether a value is an informer event that carries an object. */
export function isObjectEvent(value: unknown): value is ObjectEvent {
  if (value === null || typeof value !== 'object') return false;
  const { type, object } = value as { type?: unknown; object?: unknown };
  return (
    typeof type === 'string' && OBJECT_EVENT_TYPES.has(type) && object !== null && typeof object === 'object'
  );
}

/** The default merge of the coalescing policies: net change for informer events, else the latest value. */
export function mergeLatest<V>(pending: V, next: V): V | undefined {
  return isObjectEvent(pending) && isObjectEvent(next) ? (mergeEvents(pending, next) as V | undefined) : next;
}
