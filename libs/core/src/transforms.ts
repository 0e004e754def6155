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
 * const pod = deepFreeze(JSON.parse(text));
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
