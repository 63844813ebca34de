import { describe, expect, it } from 'vitest';
import { deriveSeed, mulberry32 } from './prng.ts';

describe('mulberry32', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const draw = (seed: number) => {
      const prng = mulberry32(seed);
      return Array.from({ length: 5 }, () => prng.next());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('stays within the bounds asked for', () => {
    const prng = mulberry32(9);
    for (let i = 0; i < 1000; i++) {
      const n = prng.int(3, 5);
      expect(n).toBeGreaterThanOrEqual(3);
      expect(n).toBeLessThanOrEqual(5);
      expect(Number.isInteger(n)).toBe(true);
    }
  });

  it('shuffles without losing or adding items', () => {
    const items = Array.from({ length: 20 }, (_, i) => i);
    const shuffled = mulberry32(1).shuffle(items);
    expect(shuffled).not.toEqual(items);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(items);
  });

  it('derives different streams for different labels', () => {
    expect(deriveSeed(42, 'patient-1')).not.toBe(deriveSeed(42, 'patient-2'));
    expect(deriveSeed(42, 'patient-1')).toBe(deriveSeed(42, 'patient-1'));
  });
});
