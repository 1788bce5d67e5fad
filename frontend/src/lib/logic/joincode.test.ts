import { describe, expect, it } from 'vitest';
import { normalizeCode, showCode } from './joincode';

describe('short codes', () => {
  it('reads a code however it is typed, and nothing that cannot be one', () => {
    expect(normalizeCode('acde fghj')).toBe('ACDEFGHJ');
    expect(normalizeCode(' ACDE-FGHJ ')).toBe('ACDEFGHJ');
    expect(normalizeCode('ACDEFGH')).toBeUndefined();
    expect(normalizeCode('ACDEFGH0')).toBeUndefined(); // 0 is not in the alphabet (O looks alike)
    expect(normalizeCode('')).toBeUndefined();
  });
  it('is shown in two groups of four', () => {
    expect(showCode('ACDEFGHJ')).toBe('ACDE FGHJ');
  });
});
