import type { KubeObject } from '@rxinformer/core';

/**
 * The time of an object's last write as the object itself records it (epoch ms): the latest
 * `metadata.managedFields[].time`, else `metadata.creationTimestamp`; `undefined` if neither.
 * A `timestampOf` for {@link measureEvents}. Both have one-second resolution, and the core
 * strips managedFields by default: create the factory with `stripManagedFields: false` for a
 * lag that follows updates (or write your own `timestampOf`, such as an annotation your
 * writers set).
 *
 * @example
 * ```ts
 * lastWriteTime({ metadata: { managedFields: [{ time: '2026-01-01T00:00:05Z' }] } }); // 1767225605000
 * events$.pipe(measureEvents(metrics, 'pods', { timestampOf: (e) => lastWriteTime(e.object) }));
 * ```
 *
 * @see {@link measureEvents}
 */
export function lastWriteTime(object: KubeObject): number | undefined {
  let latest: number | undefined;
  for (const entry of object.metadata?.managedFields ?? []) {
    const at = entry.time === undefined ? Number.NaN : Date.parse(String(entry.time));
    if (!Number.isNaN(at) && (latest === undefined || at > latest)) latest = at;
  }
  if (latest !== undefined) return latest;
  const created = object.metadata?.creationTimestamp;
  const at = created === undefined ? Number.NaN : Date.parse(String(created));
  return Number.isNaN(at) ? undefined : at;
}
