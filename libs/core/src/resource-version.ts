// Since Kubernetes 1.35 (KEP-5504) the resourceVersions of one group and resource are
// increasing integers, written in decimal without leading zeros. Only read-your-writes orders
// them; everything else treats them as opaque, as the API always asked.

const CANONICAL = /^(?:0|[1-9][0-9]*)$/;

/**
 * Whether a resourceVersion is a canonical decimal integer (no sign, no leading zero), the form
 * whose order a Kubernetes 1.35+ server guarantees.
 *
 * @example
 * ```ts
 * isIntegerResourceVersion('1234'); // true
 * isIntegerResourceVersion('0123'); // false
 * isIntegerResourceVersion('a1b2'); // false
 * ```
 */
export function isIntegerResourceVersion(resourceVersion: string): boolean {
  return CANONICAL.test(resourceVersion);
}

/**
 * Orders two canonical integer resourceVersions of the same resource without parsing them:
 * negative when `a` is older, 0 when equal, positive when newer. Comparing by length, then
 * character by character, is numeric order for canonical decimals of any size.
 *
 * @example
 * ```ts
 * compareResourceVersions('99', '100') < 0; // true
 * compareResourceVersions('100', '100'); // 0
 * ```
 */
export function compareResourceVersions(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
