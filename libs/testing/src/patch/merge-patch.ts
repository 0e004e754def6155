/**
 * Applies a JSON merge patch (RFC 7386) and returns a new value: objects merge recursively,
 * `null` deletes a key, anything else (arrays included) replaces. The target is not mutated.
 * The simulator also applies strategic merge patches this way.
 *
 * @example
 * ```ts
 * applyMergePatch({ metadata: { labels: { a: '1', b: '2' } } }, { metadata: { labels: { b: null, c: '3' } } });
 * // { metadata: { labels: { a: '1', c: '3' } } }
 * ```
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const base: Record<string, unknown> =
    target !== null && typeof target === 'object' && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) delete base[key];
    else base[key] = applyMergePatch(base[key], value);
  }
  return base;
}
