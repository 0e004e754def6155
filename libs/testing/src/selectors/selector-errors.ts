import { InvalidSelectorError } from '@rxinformer/core';
import { StatusErrors } from '../api/status.js';

/**
 * Runs a selector parser and answers a malformed selector as kube-apiserver does: a 400
 * BadRequest `Status` whose message is the parser's `problem`, word for word.
 *
 * @example
 * ```ts
 * import { parseLabelSelector } from '@rxinformer/core';
 * const query = new URLSearchParams('labelSelector=app%3Dweb');
 * const selector = asBadRequest(() => parseLabelSelector(query.get('labelSelector') ?? undefined));
 * ```
 */
export function asBadRequest<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof InvalidSelectorError) throw StatusErrors.badRequest(error.problem);
    throw error;
  }
}
