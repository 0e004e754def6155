import { StatusErrors } from '../api/status.js';

/** How a response represents objects, as chosen from the `Accept` header. */
export type Representation = 'object' | 'partial' | 'partialList' | 'table';

interface MediaRange {
  readonly type: string;
  readonly params: Readonly<Record<string, string>>;
}

function parseAccept(header: string): MediaRange[] {
  return header
    .split(',')
    .map((part) => {
      const [type = '', ...rest] = part.split(';').map((s) => s.trim());
      const params: Record<string, string> = {};
      for (const p of rest) {
        const eq = p.indexOf('=');
        if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim();
      }
      return { type: type.toLowerCase(), params };
    })
    .filter((range) => range.type !== '');
}

const JSONISH = new Set(['application/json', '*/*', 'application/*']);

/**
 * Chooses the representation for a response, in the client's order of preference, the way the
 * API server negotiates: JSON (plain, or as `PartialObjectMetadata[List]` or `Table` of
 * `meta.k8s.io/v1`); protobuf and YAML are never chosen. Throws 406 NotAcceptable when nothing fits.
 *
 * @example
 * ```ts
 * negotiate('application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1', 'list'); // 'partialList'
 * ```
 */
export function negotiate(
  accept: string | undefined,
  target: 'list' | 'watch' | 'object',
  /** Go type the real server names in its 406 messages, such as `*core.ConfigMapList`. */
  goType?: string,
): Representation {
  const named = (message: string) => (goType ? `${message} (${goType})` : message);
  if (accept === undefined || accept.trim() === '') return 'object';
  for (const range of parseAccept(accept)) {
    if (!JSONISH.has(range.type)) continue;
    const as = range.params['as'];
    if (as === undefined) return 'object';
    if (range.params['g'] !== 'meta.k8s.io' || !['v1', 'v1beta1'].includes(range.params['v'] ?? '')) continue;
    if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') {
      if (target === 'watch') return 'partial';
      if (target === 'list' && as === 'PartialObjectMetadata') {
        throw StatusErrors.notAcceptable(
          named('you requested PartialObjectMetadata, but the requested object is a list'),
        );
      }
      if (target === 'object' && as === 'PartialObjectMetadataList') {
        throw StatusErrors.notAcceptable(
          named('you requested PartialObjectMetadataList, but the requested object is not a list'),
        );
      }
      return as === 'PartialObjectMetadata' ? 'partial' : 'partialList';
    }
    if (as === 'Table' && target !== 'watch') return 'table';
  }
  throw StatusErrors.notAcceptable();
}

/**
 * The Go type kube-apiserver names in negotiation errors: the internal type of a built-in
 * (`*core.ConfigMapList`, `*apps.Deployment`), `*unstructured.UnstructuredList` for a custom
 * resource list, nothing for a custom resource object (the real message differs there).
 */
export function goTypeName(
  resource: { group: string; kind: string; builtin: boolean },
  list: boolean,
): string | undefined {
  if (!resource.builtin) return list ? '*unstructured.UnstructuredList' : undefined;
  const pkg = resource.group === '' ? 'core' : (resource.group.split('.')[0] ?? resource.group);
  return `*${pkg}.${resource.kind}${list ? 'List' : ''}`;
}

/** The media type part of a `Content-Type` header, lower-cased, without parameters. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}
