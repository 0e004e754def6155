import type { ServerResponse } from 'node:http';
import { StatusErrors } from '../api/status.js';
import type { ResourceTable } from '../store/resource-table.js';
import type { ServedResource } from '../store/served-resource.js';
import { metadataJson, type StoredVersion } from '../store/stored-version.js';
import { decodeContinue, encodeContinue } from './continue-token.js';
import type { ListOptions } from './list-options.js';
import type { Representation } from './media.js';
import { writeChunks } from './respond.js';

const PARTIAL_HEAD = '{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":';
const EXPIRED_CONTINUE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

/** 504 for a resourceVersion the server has not reached, as the real one answers after waiting. */
export function tooLargeResourceVersion(requested: number, current: number) {
  return StatusErrors.custom(
    504,
    'Timeout',
    `Too large resource version: ${requested}, current: ${current}`,
    1,
  );
}

/** A predicate for the selectors, or undefined when there are none. */
export function selectorPredicate(
  options: Pick<ListOptions, 'labelSelector' | 'fieldSelector'>,
): ((v: StoredVersion) => boolean) | undefined {
  const { labelSelector, fieldSelector } = options;
  if (labelSelector.empty && fieldSelector.empty) return undefined;
  return (v) => labelSelector.matches(v.labels) && fieldSelector.matches(v.name, v.namespace, v.fields);
}

/** The snapshot RV a list reads at, and where it starts; throws 410 when that state is gone. */
export function snapshotOf(
  table: ResourceTable,
  currentRv: number,
  namespace: string | undefined,
  options: ListOptions,
): { rv: number; after: string | undefined } {
  if (options.continueToken !== undefined) {
    const token = decodeContinue(options.continueToken, namespace);
    if (token.rv < 0) return { rv: currentRv, after: token.after };
    if (token.rv < table.history.floor) {
      throw StatusErrors.gone(EXPIRED_CONTINUE, { continue: encodeContinue(-1, token.after, namespace) });
    }
    return { rv: token.rv, after: token.after };
  }
  const requested = options.resourceVersion === undefined ? undefined : Number(options.resourceVersion);
  if (requested !== undefined && requested > currentRv) throw tooLargeResourceVersion(requested, currentRv);
  if (options.resourceVersionMatch === 'Exact' && requested !== undefined) {
    if (requested < table.history.floor)
      throw StatusErrors.gone('The resourceVersion for the provided list is too old.');
    return { rv: requested, after: undefined };
  }
  return { rv: currentRv, after: undefined };
}

function tableRow(served: ServedResource, version: StoredVersion): string {
  return `{"cells":[${JSON.stringify(version.name)},${JSON.stringify(version.creationTimestamp)}],"object":${PARTIAL_HEAD}${metadataJson(version)}}}`;
}

const TABLE_COLUMNS = JSON.stringify([
  {
    name: 'Name',
    type: 'string',
    format: 'name',
    description: 'Name must be unique within a namespace.',
    priority: 0,
  },
  {
    name: 'Created At',
    type: 'date',
    format: '',
    description:
      'CreationTimestamp is a timestamp representing the server time when this object was created.',
    priority: 0,
  },
]);

/** Serializes items in 256 KiB chunks (each item's JSON was built once, at write time). */
function* itemChunks(
  items: readonly StoredVersion[],
  item: (v: StoredVersion) => string,
  separator: string,
): Generator<string> {
  let chunk = '';
  for (let i = 0; i < items.length; i++) {
    chunk += (i === 0 ? '' : separator) + item(items[i] as StoredVersion);
    if (chunk.length >= 256 * 1024) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

/**
 * Serves a LIST: a consistent page of the snapshot (continue tokens pin their RV), as a full
 * list, a PartialObjectMetadataList or a Table, streamed with backpressure.
 */
export async function serveList(
  res: ServerResponse,
  served: ServedResource,
  currentRv: number,
  namespace: string | undefined,
  options: ListOptions,
  representation: Representation,
): Promise<void> {
  const { rv, after } = snapshotOf(served.table, currentRv, namespace, options);
  const page = served.table.snapshot({
    rv,
    namespace,
    after,
    limit: options.limit,
    predicate: selectorPredicate(options),
  });
  let listMeta = `{"resourceVersion":"${rv}"`;
  if (page.continueAfter !== undefined)
    listMeta += `,"continue":"${encodeContinue(rv, page.continueAfter, namespace)}"`;
  if (page.continueAfter !== undefined && page.remaining !== undefined)
    listMeta += `,"remainingItemCount":${page.remaining}`;
  listMeta += '}';
  const { kind, apiVersion } = served.descriptor;
  let head: string;
  let item: (v: StoredVersion) => string;
  let tail = ']}';
  if (representation === 'partialList') {
    head = `{"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/v1","metadata":${listMeta},"items":[`;
    item = (v) => `${PARTIAL_HEAD}${metadataJson(v)}}`;
  } else if (representation === 'table') {
    head = `{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":${listMeta},"columnDefinitions":${TABLE_COLUMNS},"rows":[`;
    item = (v) => tableRow(served, v);
  } else {
    head = `{"kind":${JSON.stringify(`${kind}List`)},"apiVersion":${JSON.stringify(apiVersion)},"metadata":${listMeta},"items":[`;
    const itemHead = served.itemHead;
    item = (v) => itemHead + v.body;
    tail = ']}';
  }
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  await writeChunks(res, [head]);
  if (!(await writeChunks(res, itemChunks(page.items, item, ',')))) return;
  res.end(tail);
}

/** Serves a GET of one object as a Table (kubectl get NAME). */
export function tableOf(served: ServedResource, version: StoredVersion, rv: number): string {
  return `{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"${rv}"},"columnDefinitions":${TABLE_COLUMNS},"rows":[${tableRow(served, version)}]}`;
}
