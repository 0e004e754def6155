import { encodeContinue } from '../server/continue-token.js';
import { selectorPredicate, snapshotOf } from '../server/list-handler.js';
import { parseListOptions } from '../server/list-options.js';
import type { ObjectStore } from '../store/object-store.js';
import type { ServedResource } from '../store/served-resource.js';
import { decodeVersion, metadataJson } from '../store/stored-version.js';

type Json = Record<string, unknown>;

/** A LIST answer as the API server sends it: the list object with its metadata and items. */
export interface ListDocument {
  readonly kind: string;
  readonly apiVersion: string;
  readonly metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  readonly items: Json[];
}

/**
 * Answers a LIST with the simulator's semantics, without HTTP: query parameters validated by
 * `parseListOptions`, a consistent snapshot (continue tokens pin their resourceVersion and get
 * 410 once it left the history window), pagination, selectors, metadata-only items.
 */
export function listDocument(
  store: ObjectStore,
  served: ServedResource,
  namespace: string | undefined,
  query: URLSearchParams,
  metadataOnly: boolean,
): ListDocument {
  const options = parseListOptions(query, served, false);
  const { rv, after } = snapshotOf(served.table, store.rv, namespace, options);
  const page = served.table.snapshot({
    rv,
    namespace,
    after,
    limit: options.limit,
    predicate: selectorPredicate(options),
  });
  const metadata: ListDocument['metadata'] = { resourceVersion: String(rv) };
  if (page.continueAfter !== undefined) {
    metadata.continue = encodeContinue(rv, page.continueAfter, namespace);
    if (page.remaining !== undefined) metadata.remainingItemCount = page.remaining;
  }
  const items = page.items.map((v) =>
    metadataOnly
      ? (JSON.parse(
          `{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":${metadataJson(v)}}`,
        ) as Json)
      : decodeVersion<Json>(served.head, v),
  );
  const { kind, apiVersion } = served.descriptor;
  return metadataOnly
    ? { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata, items }
    : { kind: `${kind}List`, apiVersion, metadata, items };
}

/** Query parameters as URLSearchParams, leaving out undefined and empty values (as the transport does). */
export function searchParams(
  query: Readonly<Record<string, string | number | boolean | undefined>>,
): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  return params;
}
