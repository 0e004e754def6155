import { StatusErrors } from '../api/status.js';

/**
 * One RFC 6902 JSON patch operation.
 *
 * @example
 * ```ts
 * const op: JsonPatchOperation = { op: 'replace', path: '/spec/replicas', value: 3 };
 * ```
 */
export interface JsonPatchOperation {
  readonly op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  readonly path: string;
  readonly value?: unknown;
  readonly from?: string;
}

type Container = Record<string, unknown> | unknown[];

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/'))
    throw StatusErrors.badRequest(
      `the server rejected our request due to an error in our request: invalid JSON pointer '${path}'`,
    );
  return path
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

function fail(message: string): never {
  // The API server reports a failed JSON patch as 422 Invalid … or 500; client-go sees 422.
  throw StatusErrors.custom(422, 'Invalid', message);
}

function parentOf(document: unknown, tokens: string[], path: string): { parent: Container; last: string } {
  let current = document;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(current)) current = current[Number(token)];
    else if (current !== null && typeof current === 'object')
      current = (current as Record<string, unknown>)[token];
    else current = undefined;
    if (current === undefined) fail(`doc is missing path: "${path}": missing value`);
  }
  if (current === null || typeof current !== 'object') fail(`doc is missing path: "${path}": missing value`);
  return { parent: current as Container, last: tokens[tokens.length - 1] as string };
}

function get(document: unknown, path: string): unknown {
  let current = document;
  for (const token of pointer(path)) {
    if (Array.isArray(current)) current = current[Number(token)];
    else if (current !== null && typeof current === 'object')
      current = (current as Record<string, unknown>)[token];
    else return undefined;
  }
  return current;
}

function arrayIndex(array: unknown[], token: string, path: string, allowEnd: boolean): number {
  if (token === '-' && allowEnd) return array.length;
  const index = /^(0|[1-9]\d*)$/.test(token) ? Number(token) : NaN;
  if (
    !Number.isInteger(index) ||
    index < 0 ||
    index > array.length ||
    (!allowEnd && index === array.length)
  ) {
    fail(`unable to access invalid index: ${token}: "${path}"`);
  }
  return index;
}

function add(document: unknown, path: string, value: unknown): unknown {
  const tokens = pointer(path);
  if (tokens.length === 0) return value;
  const { parent, last } = parentOf(document, tokens, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, path, true), 0, value);
  else parent[last] = value;
  return document;
}

function remove(document: unknown, path: string): unknown {
  const tokens = pointer(path);
  const { parent, last } = parentOf(document, tokens, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, path, false), 1);
  else if (!(last in parent)) fail(`Unable to remove nonexistent key: ${last}: missing value`);
  else delete parent[last];
  return document;
}

/**
 * Applies an RFC 6902 JSON patch to a deep copy of `document`. A failed `test` or a missing
 * path throws a `KubeStatusError` (422 Invalid), as the API server answers.
 *
 * @example
 * ```ts
 * applyJsonPatch({ spec: { replicas: 1 } }, [{ op: 'replace', path: '/spec/replicas', value: 2 }]);
 * // { spec: { replicas: 2 } }
 * ```
 */
export function applyJsonPatch(document: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations))
    throw StatusErrors.badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let result = clone(document);
  for (const raw of operations as JsonPatchOperation[]) {
    const { op, path } = raw ?? ({} as JsonPatchOperation);
    if (typeof path !== 'string') fail(`Unexpected kind: ${String(op)}`);
    switch (op) {
      case 'add':
        result = add(result, path, clone(raw.value));
        break;
      case 'remove':
        result = remove(result, path);
        break;
      case 'replace':
        if (pointer(path).length > 0 && get(result, path) === undefined)
          fail(`replace operation does not apply: doc is missing key: ${path}: missing value`);
        result =
          pointer(path).length === 0 ? clone(raw.value) : add(remove(result, path), path, clone(raw.value));
        break;
      case 'move':
      case 'copy': {
        const from = raw.from ?? '';
        const value = get(result, from);
        if (value === undefined)
          fail(`${op} operation does not apply: doc is missing from path: ${from}: missing value`);
        if (op === 'move') result = remove(result, from);
        result = add(result, path, clone(value));
        break;
      }
      case 'test':
        if (JSON.stringify(get(result, path)) !== JSON.stringify(raw.value))
          fail(`testing value ${path} failed: test failed`);
        break;
      default:
        fail(`Unexpected kind: ${String(op)}`);
    }
  }
  return result;
}
