import type { UserCodeReporter } from '@rxinformer/core';
import { mergeLatest } from './net-change.js';

/**
 * Calls a key function. A throw, or a result that is not a string (nor `undefined` where
 * `optional`), is reported and returns `undefined`: the value is then handled as one without
 * a key, so it is never merged with another object's.
 */
export function callKey<A>(
  key: (arg: A) => string | undefined,
  arg: A,
  source: string,
  fail: UserCodeReporter,
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

/**
 * Calls a merge function of the coalescing policies. A throw is reported (naming `next`) and
 * the default merge ({@link mergeLatest}) answers instead, so neither value is lost to it.
 */
export function callMerge<V>(
  merge: (waiting: V, next: V) => V | undefined,
  waiting: V,
  next: V,
  source: string,
  fail: UserCodeReporter,
): V | undefined {
  try {
    return merge(waiting, next);
  } catch (err) {
    fail(source, next, err);
    return mergeLatest(waiting, next);
  }
}

/**
 * The drop counter of a bounded queue: each call counts one dropped value and tells the
 * user's `onDrop` the running count. A throwing `onDrop` is reported; the drop still counts.
 */
export function dropCounter<V>(
  onDrop: ((dropped: number, value: V) => void) | undefined,
  source: string,
  fail: UserCodeReporter,
): (value: V) => void {
  let dropped = 0;
  return (value) => {
    dropped++;
    try {
      onDrop?.(dropped, value);
    } catch (err) {
      fail(source, value, err);
    }
  };
}
