/**
 * A seeded pseudo-random source (mulberry32): the same seed yields the same sequence on every
 * machine, so simulated workloads and faults are reproducible.
 *
 * @example
 * ```ts
 * const random = seededRandom(42);
 * const pick = random.int(10); // 0..9, the same on every run
 * ```
 */
export interface SeededRandom {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, max). */
  int(max: number): number;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** An RFC 4122 version-4 shaped UUID drawn from this sequence. */
  uuid(): string;
}

/**
 * Creates a {@link SeededRandom} from a 32-bit seed.
 *
 * @example
 * ```ts
 * seededRandom(7).uuid(); // deterministic, e.g. '5f0c…-4…'
 * ```
 */
export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const hex = (n: number): string =>
    Math.floor(next() * 16 ** n)
      .toString(16)
      .padStart(n, '0');
  return {
    next,
    int: (max) => Math.floor(next() * max),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    uuid: () =>
      `${hex(8)}-${hex(4)}-4${hex(3)}-${(8 + Math.floor(next() * 4)).toString(16)}${hex(3)}-${hex(12)}`,
  };
}
