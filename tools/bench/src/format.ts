/**
 * A number as the tables print it: thousands separated, `digits` decimals, empty when unknown.
 *
 * @example
 * ```ts
 * fmt(12345.678, 1); // '12,345.7'
 * ```
 */
export const fmt = (v: number | undefined, digits = 0): string =>
  v === undefined
    ? ''
    : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/**
 * One markdown table row.
 *
 * @example
 * ```ts
 * line(['a', 'b']); // '| a | b |'
 * ```
 */
export const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
