/** Pure helpers of the benchmarks: percentiles, rates, ratios and verdicts. */

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * The p-th percentile (0–100) by the nearest-rank method: the smallest sample with at least p %
 * of the samples at or below it. NaN for no samples, so a missing figure cannot pass as 0 ms.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) {
    return Number.NaN;
  }
  if (p < 0 || p > 100) {
    throw new RangeError(`percentile must be 0 to 100, not ${String(p)}`);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

export function summarizeLatencies(samplesMs: readonly number[]): LatencySummary {
  return {
    count: samplesMs.length,
    p50Ms: percentile(samplesMs, 50),
    p99Ms: percentile(samplesMs, 99),
    // Not Math.max(...samples): an overload run has more samples than a call may take arguments.
    maxMs: samplesMs.length === 0 ? Number.NaN : samplesMs.reduce((max, s) => (s > max ? s : max)),
  };
}

/** Items per second; NaN when no time passed. */
export function ratePerSecond(items: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (items * 1000) / elapsedMs : Number.NaN;
}

export type Verdict = 'PASS' | 'MISS' | 'n/a';

export interface Target {
  /** `min`: the figure must be at least `value`; `max`: at most. */
  kind: 'min' | 'max';
  value: number;
}

/** PASS or MISS against a target; n/a when the figure could not be measured. */
export function verdict(figure: number, target: Target): Verdict {
  if (!Number.isFinite(figure)) {
    return 'n/a';
  }
  const met = target.kind === 'min' ? figure >= target.value : figure <= target.value;
  return met ? 'PASS' : 'MISS';
}

/** How far a figure is from its target, as a fraction of the target (0.25 = 25 % short or over). */
export function shortfall(figure: number, target: Target): number {
  if (!Number.isFinite(figure) || target.value === 0) {
    return Number.NaN;
  }
  const gap = target.kind === 'min' ? target.value - figure : figure - target.value;
  return Math.max(0, gap / target.value);
}
