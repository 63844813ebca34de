import type { LesionMeasurement } from '@oncoimg/fhir-builders';
import type { Prng } from './prng.ts';

/** How the patient's disease answers treatment, by RECIST 1.1 at the last follow-up. */
export const RESPONSE_PATHWAYS = ['PR', 'SD', 'PD'] as const;
export type ResponsePathway = (typeof RESPONSE_PATHWAYS)[number];

/** RECIST 1.1 on sums of diameters: PD ≥ 20 % and ≥ 5 mm above the nadir, PR ≥ 30 % below baseline. */
export function recistCategory(sumMm: number, baselineMm: number, nadirMm: number): ResponsePathway {
  if (sumMm - nadirMm >= 5 && sumMm >= nadirMm * 1.2) {
    return 'PD';
  }
  if (sumMm <= baselineMm * 0.7) {
    return 'PR';
  }
  return 'SD';
}

function categories(baselineMm: number, sums: readonly number[]): ResponsePathway[] {
  let nadir = baselineMm;
  return sums.map((sum) => {
    const category = recistCategory(sum, baselineMm, nadir);
    nadir = Math.min(nadir, sum);
    return category;
  });
}

/** Ratios of the baseline sum at each follow-up that end in the pathway's category. */
function trajectory(prng: Prng, pathway: ResponsePathway): number[] {
  switch (pathway) {
    case 'PR': {
      const count = prng.int(2, 4);
      const last = prng.between(0.4, 0.56);
      return Array.from({ length: count }, (_, i) => 1 - ((1 - last) * (i + 1)) / count);
    }
    case 'SD':
      return Array.from({ length: prng.int(2, 4) }, () => prng.between(0.9, 1.02));
    case 'PD': {
      const first = prng.between(0.8, 0.95);
      const middle = prng.chance(0.5) ? [first * prng.between(0.97, 1.05)] : [];
      return [first, ...middle, Math.min(first, ...middle) * prng.between(1.32, 1.55)];
    }
  }
}

function measureLesions(
  prng: Prng,
  baseline: readonly LesionMeasurement[],
  ratios: readonly number[],
): LesionMeasurement[][] {
  return ratios.map((ratio) =>
    baseline.map((lesion) => ({
      ...lesion,
      mm: Math.max(3, Math.round(lesion.mm * ratio * prng.between(0.97, 1.03))),
    })),
  );
}

/** Follow-up sizes, drawn until RECIST on the rounded sizes gives the pathway. */
export function drawFollowUps(
  prng: Prng,
  baseline: readonly LesionMeasurement[],
  pathway: ResponsePathway,
  index: number,
): { measurements: LesionMeasurement[][]; expected: ResponsePathway[] } {
  for (let attempt = 0; attempt < 50; attempt++) {
    const measurements = measureLesions(prng, baseline, trajectory(prng, pathway));
    const expected = categories(sumOf(baseline), measurements.map(sumOf));
    const settled = pathway === 'SD' ? expected.every((c) => c === 'SD') : expected.at(-1) === pathway;
    if (settled) {
      return { measurements, expected };
    }
  }
  throw new Error(`synthetic cohort: no ${pathway} trajectory for patient ${String(index)}`);
}

export function sumOf(lesions: readonly LesionMeasurement[]): number {
  return lesions.reduce((sum, l) => sum + l.mm, 0);
}
