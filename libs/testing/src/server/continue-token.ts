import { StatusErrors } from '../api/status.js';

/** A decoded continue token: the snapshot RV (-1: latest, an inconsistent continuation) and the key to start after. */
export interface ContinueToken {
  readonly rv: number;
  readonly after: string;
}

/**
 * Encodes a continue token in the API server's own format: base64url (unpadded) of
 * `{"v":"meta.k8s.io/v1","rv":RV,"start":"<key relative to the list prefix>\u0000"}`.
 */
export function encodeContinue(rv: number, key: string, namespace: string | undefined): string {
  const relative =
    namespace !== undefined && key.startsWith(`${namespace}/`) ? key.slice(namespace.length + 1) : key;
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: `${relative}\u0000` })).toString(
    'base64url',
  );
}

/** Decodes a continue token, answering 400 BadRequest for anything that is not one. */
export function decodeContinue(token: string, namespace: string | undefined): ContinueToken {
  let parsed: { v?: unknown; rv?: unknown; start?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as typeof parsed;
  } catch {
    throw StatusErrors.badRequest('continue key is not valid: illegal base64 data or invalid JSON');
  }
  if (parsed.v !== 'meta.k8s.io/v1')
    throw StatusErrors.badRequest(
      'continue key is not valid: server does not recognize this encoded version',
    );
  if (typeof parsed.rv !== 'number' || typeof parsed.start !== 'string' || parsed.rv === 0) {
    throw StatusErrors.badRequest(
      'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
    );
  }
  const start = parsed.start.endsWith('\u0000') ? parsed.start.slice(0, -1) : parsed.start;
  if (start === '' || start.startsWith('/') || start.split('/').includes('..')) {
    throw StatusErrors.badRequest('continue key is not valid: encoded start key begins with an invalid path');
  }
  return { rv: parsed.rv, after: namespace !== undefined ? `${namespace}/${start}` : start };
}
