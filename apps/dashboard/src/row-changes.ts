import { coalesceByKey, batchEvents } from '@rxinformer/batching';
import { objectKey, type InformerEvent, type KubeObject } from '@rxinformer/core';
import { filter, map, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { Row, TableSpec } from './rows.js';

/**
 * The net change of one table row: its new content, or `null` when the object is gone.
 *
 * @example
 * ```ts
 * const change: RowChange = { resource: 'pods', key: 'shop/web-1', row: null };
 * ```
 */
export interface RowChange {
  readonly resource: string;
  readonly key: string;
  readonly row: Row | null;
}

/**
 * Options of {@link toRowChanges} and {@link batchRowChanges}.
 *
 * @example
 * ```ts
 * const options: RowChangeOptions = { window: 250, maxSize: 2000 };
 * ```
 */
export interface RowChangeOptions {
  /** How long (ms) changes of one object are coalesced, and how long a batch waits for more. */
  readonly window: number;
  /** The most changes in one batch (default 2000); a fuller window is sent as several batches. */
  readonly maxSize?: number;
  readonly scheduler?: SchedulerLike;
}

/**
 * Turns an informer's events into row changes of one table, coalesced per object over `window`
 * ms (`coalesceByKey`): 50 updates of a pod within a window become one change with its latest
 * row; a pod created and deleted within a window becomes nothing. SYNCED and RESYNC carry no change.
 *
 * ```
 * events:  -a-m-m-d-b-|     (a ADDED p, m MODIFIED p, d DELETED q, b ADDED r; window 10)
 * changes: -----------(PQR|)  (P = p's latest row, Q = q removed, R = r's row)
 * ```
 *
 * @example
 * ```ts
 * pods.events$.pipe(toRowChanges('pods', podTable, { window: 250 })).subscribe((change) => console.log(change));
 * ```
 */
export function toRowChanges<T extends KubeObject>(
  resource: string,
  table: TableSpec<T>,
  options: RowChangeOptions,
): OperatorFunction<InformerEvent<T>, RowChange> {
  return (events$) =>
    events$.pipe(
      coalesceByKey<T>(
        options.scheduler
          ? { window: options.window, scheduler: options.scheduler }
          : { window: options.window },
      ),
      filter((e) => e.type === 'ADDED' || e.type === 'MODIFIED' || e.type === 'DELETED'),
      map((e) => {
        const row = e.type === 'DELETED' ? null : table.toRow(e.object);
        // An update the table cannot show (an annotation, a probe time) is not worth a byte.
        if (e.type === 'MODIFIED' && row !== null && sameRow(row, table.toRow(e.previous))) return undefined;
        return { resource, key: objectKey(e.object), row };
      }),
      filter((change): change is RowChange => change !== undefined),
    );
}

/**
 * Groups row changes into the messages the page receives (`batchEvents`): at most one batch per
 * `window` ms unless a batch fills up, so a workload of thousands of events per second reaches
 * the browser as a few messages per second carrying the net changes.
 *
 * @example
 * ```ts
 * const hub = new SseHub();
 * const podChanges$ = pods.events$.pipe(toRowChanges('pods', podTable, { window: 250 }));
 * const nodeChanges$ = nodes.events$.pipe(toRowChanges('nodes', nodeTable, { window: 250 }));
 * merge(podChanges$, nodeChanges$).pipe(batchRowChanges({ window: 250 })).subscribe((batch) => hub.broadcast('changes', batch));
 * ```
 */
export function batchRowChanges(options: RowChangeOptions): OperatorFunction<RowChange, RowChange[]> {
  const batch = { maxSize: options.maxSize ?? 2000, maxWait: options.window };
  return batchEvents<RowChange>(options.scheduler ? { ...batch, scheduler: options.scheduler } : batch);
}

function sameRow(a: Row, b: Row): boolean {
  return (
    a.tone === b.tone &&
    a.created === b.created &&
    a.cells.length === b.cells.length &&
    a.cells.every((cell, i) => cell === b.cells[i])
  );
}
