import { createHash } from 'node:crypto';

/**
 * Rendezvous (highest-random-weight) hashing: the member whose hash with `key` is highest.
 * Stable: adding a member moves only the keys it wins; removing one moves only its keys.
 * Returns `undefined` for no members.
 *
 * @example
 * ```ts
 * rendezvousOwner('shop/web-1', ['replica-a', 'replica-b']); // 'replica-a' or 'replica-b', the same on every process
 * ```
 */
export function rendezvousOwner(key: string, members: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = -1;
  for (const member of members) {
    const digest = createHash('sha1').update(member).update('\0').update(key).digest();
    const score = digest.readUIntBE(0, 6);
    if (score > bestScore || (score === bestScore && best !== undefined && member < best)) {
      best = member;
      bestScore = score;
    }
  }
  return best;
}
