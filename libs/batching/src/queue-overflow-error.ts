import { RxInformerError } from '@rxinformer/core';

/**
 * A bounded queue was full and its policy was to fail: the consumer cannot keep up with the
 * stream. `operator` says which queue (`'rateLimit'`, `'throttleByKey'`, `'consumeWith'`) and
 * `capacity` its bound. Not transient: resubscribing does not make the consumer faster.
 *
 * @example
 * ```ts
 * events$.pipe(consumeWith(save, { queueSize: 100, overflow: 'error' })).subscribe({
 *   error: (e) => { if (e instanceof QueueOverflowError) alert(`${e.operator} overflowed ${e.capacity}`); },
 * });
 * ```
 *
 * @see {@link consumeWith}
 * @see {@link rateLimit}
 */
export class QueueOverflowError extends RxInformerError {
  readonly operator: string;
  readonly capacity: number;
  constructor(operator: string, capacity: number) {
    super(`${operator}: queue full (${capacity} values); the consumer cannot keep up`, { transient: false });
    this.operator = operator;
    this.capacity = capacity;
  }
}
