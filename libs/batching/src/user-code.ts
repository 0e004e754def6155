import { objectKey, UserCodeError, type KubeObject } from '@rxinformer/core';
import { isObjectEvent } from './net-change.js';

/** Reports one failure of user code: `source` names the callback, `value` what it was handling. */
export type FailureReporter = (source: string, value: unknown, cause: unknown) => void;

/**
 * The key a report names a value by: its object's `namespace/name` for informer events and
 * Kubernetes objects, else none. Never the value's content, nor what a user key returned.
 */
export function nameOf(value: unknown): string | undefined {
  try {
    if (isObjectEvent(value)) return objectKey(value.object) || undefined;
    if (value !== null && typeof value === 'object' && 'metadata' in value)
      return objectKey(value as KubeObject) || undefined;
  } catch {
    // A value whose metadata cannot be read is named by nothing.
  }
  return undefined;
}

/**
 * A reporter for one subscription: each failure becomes a {@link UserCodeError} given to
 * `onError` with the running count of failures. A throwing `onError` is ignored: there is
 * nothing left to report to, and the stream must go on.
 */
export function failureReporter(
  onError: ((error: UserCodeError, failures: number) => void) | undefined,
): FailureReporter {
  let failures = 0;
  return (source, value, cause) => {
    failures++;
    if (onError === undefined) return;
    try {
      onError(new UserCodeError('callback', nameOf(value), cause, { source }), failures);
    } catch {
      // See above.
    }
  };
}

/**
 * Calls a key function. A throw, or a result that is not a string (nor `undefined` where
 * `optional`), is reported and returns `undefined`: the value is then handled as one without
 * a key, so it is never merged with another object's.
 */
export function callKey<A>(
  key: (arg: A) => string | undefined,
  arg: A,
  source: string,
  fail: FailureReporter,
  optional: boolean,
): string | undefined {
  let k: unknown;
  try {
    k = key(arg);
  } catch (err) {
    fail(source, arg, err);
    return undefined;
  }
  if (typeof k === 'string' || (optional && k === undefined)) return k as string | undefined;
  fail(source, arg, new TypeError(`returned ${k === null ? 'null' : typeof k}, not a string`));
  return undefined;
}
