import { UserCodeError, objectKey, type KubeObject } from '@rxinformer/core';

/** The keys a mapper gave for one object, and what was wrong with its answer, if anything. */
export interface MappedKeys {
  readonly keys: readonly string[];
  readonly error: UserCodeError | undefined;
}

/** Names a value's type without showing the value (an object's content may be a Secret's). */
function typeOf(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' || typeof value === 'function') {
    if (typeof (value as { then?: unknown }).then === 'function') return 'a Promise';
    const name = (value as object).constructor?.name;
    return name && name !== 'Object' ? `a ${name}` : 'an object';
  }
  return typeof value === 'string' && value === '' ? 'an empty string' : `a ${typeof value}`;
}

/**
 * Calls a mapper of a controller's `owns` or `watches` behind a guard: a throw, or a result
 * that is not an array, becomes a {@link UserCodeError} and no key; elements that are not
 * non-empty strings are left out and reported, the valid ones are kept. `source` names the
 * mapper (`watches[0] deployments.apps`). The error names the object by key, never by content.
 */
export function mapKeys(
  map: (object: KubeObject) => unknown,
  object: KubeObject,
  source: string,
): MappedKeys {
  const fail = (cause: unknown): UserCodeError =>
    new UserCodeError('mapper', objectKey(object), cause, { source });
  let result: unknown;
  try {
    result = map(object);
  } catch (e) {
    return { keys: [], error: fail(e) };
  }
  if (!Array.isArray(result))
    return { keys: [], error: fail(new TypeError(`returned ${typeOf(result)}, not an array of keys`)) };
  const keys: string[] = [];
  const bad: string[] = [];
  result.forEach((key: unknown, i) => {
    if (typeof key === 'string' && key !== '') keys.push(key);
    else bad.push(`[${i}] is ${typeOf(key)}`);
  });
  if (bad.length === 0) return { keys, error: undefined };
  const shown = bad.length > 3 ? [...bad.slice(0, 3), `${bad.length - 3} more`] : bad;
  return {
    keys,
    error: fail(new TypeError(`returned keys that are not non-empty strings: ${shown.join(', ')}`)),
  };
}
