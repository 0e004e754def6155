import { describe, expect, it } from 'vitest';
import { compareResourceVersions, isIntegerResourceVersion } from './resource-version.js';

describe('resourceVersion order', () => {
  it('accepts only canonical decimal integers', () => {
    expect(['0', '7', '1234', '98765432109876543210'].map(isIntegerResourceVersion)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['', '01', '-1', '+1', '1.5', '1e3', ' 1', 'abc'].map(isIntegerResourceVersion)).toEqual(
      new Array(8).fill(false),
    );
  });

  it('orders by numeric value, beyond what a double holds exactly', () => {
    expect(compareResourceVersions('9', '10')).toBeLessThan(0);
    expect(compareResourceVersions('100', '99')).toBeGreaterThan(0);
    expect(compareResourceVersions('42', '42')).toBe(0);
    expect(compareResourceVersions('9007199254740993', '9007199254740992')).toBeGreaterThan(0);
  });
});
