/**
 * What a rate limiter does with a value that arrives when no token is left:
 * - `{ kind: 'queue', max }`: queue it, in order, and release it when a token is free. When
 *   `max` values wait, `whenFull: 'error'` (the default) fails the stream with a
 *   {@link QueueOverflowError}; `'drop-oldest'` drops the oldest waiting value (counted by
 *   `onDrop`).
 * - `'coalesce'`: keep one waiting value per key, merged with the value already waiting (net
 *   change for informer events, the latest value otherwise; see the operator's `merge`).
 *   Memory is bounded by the number of distinct keys; values without a key queue in order.
 * - `'drop'`: drop it, and count it with `onDrop`.
 *
 * @example
 * ```ts
 * const strict: OverflowPolicy = { kind: 'queue', max: 1000, whenFull: 'drop-oldest' };
 * const latest: OverflowPolicy = 'coalesce';
 * ```
 *
 * @see {@link rateLimit}
 * @see {@link throttleByKey}
 */
export type OverflowPolicy =
  | 'drop'
  | 'coalesce'
  | { readonly kind: 'queue'; readonly max: number; readonly whenFull?: 'error' | 'drop-oldest' };

/** Validates a policy and returns the queue bound (`Infinity` for coalesce, 0 for drop). */
export function queueBound(operator: string, policy: OverflowPolicy): number {
  if (policy === 'drop') return 0;
  if (policy === 'coalesce') return Infinity;
  if (policy?.kind === 'queue' && Number.isInteger(policy.max) && policy.max >= 1) return policy.max;
  throw new RangeError(
    `${operator}: overflow must be 'drop', 'coalesce' or { kind: 'queue', max >= 1 }, got ${JSON.stringify(policy)}`,
  );
}
