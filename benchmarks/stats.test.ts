import { describe, expect, it } from 'vitest';
import { figure, formatTable } from './report.ts';
import { percentile, ratePerSecond, shortfall, summarizeLatencies, verdict } from './stats.ts';

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);

  it('p50 of 1..100 is 50 and p99 is 99, whatever the input order', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
  });

  it('a single slow request out of a hundred shows at p100, not at p99', () => {
    const samples = [...Array.from({ length: 99 }, () => 10), 5_000];
    expect(percentile(samples, 99)).toBe(10);
    expect(percentile(samples, 100)).toBe(5_000);
  });

  it('with few samples p99 is the slowest one', () => {
    expect(percentile([3, 1, 2], 99)).toBe(3);
    expect(percentile([3, 1, 2], 0)).toBe(1);
  });

  it('no samples gives NaN, so a missing latency cannot pass a target', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(verdict(summarizeLatencies([]).p99Ms, { kind: 'max', value: 200 })).toBe('n/a');
  });

  it('refuses a percentile outside 0–100', () => {
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('targets', () => {
  it('a rate at or above a minimum passes; below it misses by the fraction short', () => {
    expect(verdict(20_000, { kind: 'min', value: 20_000 })).toBe('PASS');
    expect(verdict(15_000, { kind: 'min', value: 20_000 })).toBe('MISS');
    expect(shortfall(15_000, { kind: 'min', value: 20_000 })).toBeCloseTo(0.25);
  });

  it('a latency above a maximum misses by the fraction over', () => {
    expect(verdict(300, { kind: 'max', value: 200 })).toBe('MISS');
    expect(shortfall(300, { kind: 'max', value: 200 })).toBeCloseTo(0.5);
  });

  it('rates are per second of the elapsed milliseconds', () => {
    expect(ratePerSecond(500, 250)).toBe(2_000);
    expect(ratePerSecond(1, 0)).toBeNaN();
  });
});

describe('table', () => {
  it('shows each figure with its target and verdict, a miss with how far off it is', () => {
    const table = formatTable([
      figure('timeline', 'consumer', 15_000, 'events/s', { target: { kind: 'min', value: 20_000 } }),
      figure('timeline', 'p99 latency', 120, 'ms', { target: { kind: 'max', value: 200 } }),
    ]);
    expect(table).toMatch(/consumer\s+15,000 events\/s\s+≥ 20,000 events\/s\s+MISS \(by 25 %\)/);
    expect(table).toMatch(/p99 latency\s+120 ms\s+≤ 200 ms\s+PASS/);
  });
});
