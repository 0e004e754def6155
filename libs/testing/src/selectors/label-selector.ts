import { parseLabelSelector as parseSelector, type LabelSelector } from '@rxinformer/core';
import { asBadRequest } from './selector-errors.js';

export type { LabelSelector };

/**
 * Parses a label selector string the way the API server does (the parser is core's
 * `parseLabelSelector`); throws a `KubeStatusError` (400 BadRequest) with the server's message
 * when it is malformed.
 *
 * @example
 * ```ts
 * parseLabelSelector('env!=prod').matches({ env: 'dev' }); // true
 * parseLabelSelector('a in (').matches({}); // throws KubeStatusError 400
 * ```
 */
export function parseLabelSelector(text: string | undefined): LabelSelector {
  return asBadRequest(() => parseSelector(text));
}
