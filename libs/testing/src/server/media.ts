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
export function negotiate(accept: string | undefined, target: 'list' | 'watch' | 'object'): Representation {
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
          'you requested PartialObjectMetadata, but the requested object is a list',
        );
      }
      if (target === 'object' && as === 'PartialObjectMetadataList') {
        throw StatusErrors.notAcceptable(
          'you requested PartialObjectMetadataList, but the requested object is not a list',
        );
      }
      return as === 'PartialObjectMetadata' ? 'partial' : 'partialList';
    }
    if (as === 'Table' && target !== 'watch') return 'table';
  }
  throw StatusErrors.notAcceptable();
}

/** The media type part of a `Content-Type` header, lower-cased, without parameters. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}
