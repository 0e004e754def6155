import type { KubeObject } from './resources/kube-object.js';

/**
 * A function applied to every object before it is cached: drop what you never read, and the
 * cache holds less. It may change the object it is given (a fresh parse nobody else holds)
 * and must return the object to cache.
 *
 * @example
 * ```ts
 * const dropStatus: Transform<Wire<V1Pod>> = (pod) => { delete pod.status; return pod; };
 * ```
 */
export type Transform<T extends KubeObject = KubeObject> = (object: T) => T;

/**
 * Removes `metadata.managedFields`, which server-side apply writes into every object and which
 * is often a third of its size. The factory applies it by default (`stripManagedFields: false`
 * turns it off).
 *
 * @example
 * ```ts
 * declare function myTransform<T extends KubeObject>(object: T): T; // yours
 * createInformerFactory({ kubeConfig: kc, transform: (o) => myTransform(stripManagedFields(o)) });
 * ```
 */
export function stripManagedFields<T extends KubeObject>(object: T): T {
  if (object.metadata?.managedFields !== undefined) delete object.metadata.managedFields;
  return object;
}

/**
 * Freezes an object and everything it references, so subscribers that share a cached object
 * cannot change what others see. Returns the same object.
 *
 * @example
 * ```ts
 * const pod = deepFreeze(JSON.parse('{"metadata":{"name":"web-1"}}'));
 * Object.isFrozen(pod.metadata); // true
 * ```
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) freeze(value);
  return value;
}

// The hot path of every cached object: one pass, no re-checks of what JSON.parse just built.
function freeze(value: object): void {
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'object' && item !== null) freeze(item);
    }
    return;
  }
  for (const key in value) {
    const item: unknown = (value as Record<string, unknown>)[key];
    if (typeof item === 'object' && item !== null) freeze(item);
  }
}

/**
 * Options of {@link internStrings}.
 *
 * @example
 * ```ts
 * internStrings({ maxLength: 32, maxEntries: 50_000 });
 * ```
 */
export interface InternStringsOptions {
  /** Longer strings are left alone: they are rarely repeated (default 64). */
  maxLength?: number;
  /** The pool starts afresh past this many distinct strings, so unique values cannot leak (default 200,000). */
  maxEntries?: number;
}

/**
 * A transform that makes equal short strings across cached objects share one copy: label keys
 * and values, images, condition types, node names. A parsed object holds its own copy of each,
 * so a large cache of similar objects spends much of its heap on duplicates.
 *
 * @example
 * ```ts
 * createInformerFactory({ kubeConfig: kc, transform: internStrings() });
 * ```
 */
export function internStrings<T extends KubeObject = KubeObject>(
  options: InternStringsOptions = {},
): Transform<T> {
  const maxLength = options.maxLength ?? 64;
  const maxEntries = options.maxEntries ?? 200_000;
  let pool = new Map<string, string>();
  const intern = (text: string): string => {
    if (text.length > maxLength) return text;
    const known = pool.get(text);
    if (known !== undefined) return known;
    if (pool.size >= maxEntries) pool = new Map();
    pool.set(text, text);
    return text;
  };
  const walk = (value: object): void => {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (typeof item === 'string') value[i] = intern(item);
        else if (typeof item === 'object' && item !== null) walk(item);
      }
      return;
    }
    const record = value as Record<string, unknown>;
    for (const key in record) {
      const item = record[key];
      if (typeof item === 'string') record[key] = intern(item);
      else if (typeof item === 'object' && item !== null) walk(item);
    }
  };
  return (object) => {
    walk(object);
    return object;
  };
}
