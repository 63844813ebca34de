/** Targets from the issues. */
export const TARGETS = {
  intakeOfValidation: { kind: 'min', value: 0.7 },
  // Issue 16, on PostgreSQL: batch Bundles ≥ 6,000 resources/s and ≥ 40 % of raw validation;
  // single POSTs ≥ 3,000/s with p99 ≤ 30 ms.
  batchPerSecond: { kind: 'min', value: 6_000 },
  batchOfValidation: { kind: 'min', value: 0.4 },
  singlePerSecond: { kind: 'min', value: 3_000 },
  singleP99Ms: { kind: 'max', value: 30 },
  consumerEventsPerSecond: { kind: 'min', value: 20_000 },
  consumerOfRaw: { kind: 'min', value: 0.15 },
  scaleOutRatio: { kind: 'min', value: 1.6 },
  rssPeakBytes: { kind: 'max', value: 256 * 2 ** 20 },
  backfillDrainSeconds: { kind: 'max', value: 60 },
  latencyP99Ms: { kind: 'max', value: 200 },
  rebuild1MSeconds: { kind: 'max', value: 120 },
  overloadUnanswered: { kind: 'max', value: 0 },
} as const;
