import { DecodeError, type RequestContext } from '../errors.js';
import type { KubeObject } from '../resources/kube-object.js';
import type { ListPage } from './types.js';

interface ListBody<T> {
  metadata?: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items?: T[] | null;
}

/**
 * Decodes a LIST response body into a page. Items get the list's `apiVersion` and `kind`
 * (a list's items come without them), so cached objects look like watched ones. Throws
 * {@link DecodeError} for a body that is not JSON, has no `metadata.resourceVersion`, or whose
 * items are not objects.
 */
export function decodeList<T extends KubeObject>(
  body: Buffer,
  apiVersion: string,
  kind: string,
  context: RequestContext,
): ListPage<T> {
  let list: unknown;
  try {
    list = JSON.parse(body.toString('utf8'));
  } catch {
    throw new DecodeError(
      'the LIST response could not be decoded: it is not valid JSON',
      body.toString('utf8', 0, 4096),
      context,
    );
  }
  return listPage<T>(list, apiVersion, kind, context);
}

/**
 * Checks a parsed LIST response and makes it a page, as {@link decodeList} does for a body.
 * Throws {@link DecodeError} for a list without `metadata.resourceVersion` or with items that
 * are not objects.
 */
export function listPage<T extends KubeObject>(
  list: unknown,
  apiVersion: string,
  kind: string,
  context: RequestContext,
): ListPage<T> {
  try {
    return pageOf<T>(list as ListBody<T>, apiVersion, kind);
  } catch (e) {
    throw new DecodeError(
      `the LIST response could not be decoded: ${(e as Error).message}`,
      JSON.stringify(list ?? null).slice(0, 4096),
      context,
    );
  }
}

function pageOf<T extends KubeObject>(list: ListBody<T>, apiVersion: string, kind: string): ListPage<T> {
  if (list === null || typeof list !== 'object') throw new Error('not an object');
  const items = list.items ?? [];
  if (!Array.isArray(items)) throw new Error('items is not an array');
  const resourceVersion = list.metadata?.resourceVersion;
  if (typeof resourceVersion !== 'string') throw new Error('the list has no metadata.resourceVersion');
  for (const item of items) {
    if (item === null || typeof item !== 'object') throw new Error('an item is not an object');
    item.apiVersion ??= apiVersion;
    item.kind ??= kind;
  }
  return {
    items,
    resourceVersion,
    continue: list.metadata?.continue || undefined,
    remainingItemCount: list.metadata?.remainingItemCount,
  };
}
