import { STRONG_KEY_SOURCES } from './lesion-identity.ts';
import type {
  DiameterKind,
  LesionKey,
  NewLesionFinding,
  ResponseCategory,
  TargetLesionEvidence,
  TumourMeasurement,
  UntrackedLesion,
} from './response.types.ts';

/**
 * RECIST 1.1, as the design brief words it, on exact values (hundredths of a millimetre, integers):
 * - PR: the sum is at least 30 % below the baseline sum.
 * - PD: the sum is at least 20 % above the nadir and at least 5 mm above it, or a new lesion.
 * - CR: every target lesion is gone; lymph nodes count as gone under 10 mm short axis.
 * - NE: a target lesion is missing at the follow-up, unless the lesions measured already make PD.
 * - SD: otherwise.
 * The nadir is the smallest sum so far in the treatment line, the baseline included.
 */
export const RECIST = {
  partialResponsePercent: 30,
  progressionPercent: 20,
  progressionMinimumMm: 5,
  normalNodeShortAxisMm: 10,
} as const;

/** A target lesion, fixed at baseline: every identified lesion the baseline report measures. */
export interface RecistTarget {
  lesionId: string;
  display: string | null;
  node: boolean;
  diameterKind: DiameterKind;
  keys: LesionKey[];
  baselineMm: number;
  baselineSource: string;
}

export interface RecistBaseline {
  examId: string;
  targets: RecistTarget[];
  sumMm: number;
  untracked: UntrackedLesion[];
}

export interface RecistFindings {
  measurements: readonly TumourMeasurement[];
  newLesions: readonly NewLesionFinding[];
}

export interface RecistAssessment {
  examId: string;
  category: ResponseCategory;
  reason: string;
  /** Null when a target is missing and that does not already make PD. */
  sumMm: number | null;
  baselineSumMm: number;
  nadirSumMm: number;
  nadirExamId: string;
  percentFromBaseline: number | null;
  percentFromNadir: number | null;
  changeFromBaselineMm: number | null;
  changeFromNadirMm: number | null;
  lesions: TargetLesionEvidence[];
  newLesions: NewLesionFinding[];
  untracked: UntrackedLesion[];
  /** Every target measured: the sum may become the nadir. */
  complete: boolean;
}

const hundredths = (mm: number): number => Math.round(mm * 100);
const toMm = (h: number): number => (h === 0 ? 0 : h / 100);
const isStrong = (key: LesionKey): boolean => STRONG_KEY_SOURCES.includes(key.source);
const sameKey = (a: LesionKey, b: LesionKey): boolean => a.source === b.source && a.value === b.value;

function percent(changeH: number, ofH: number): number | null {
  if (ofH === 0) return null;
  const value = Math.round((changeH / ofH) * 1000) / 10;
  return value === 0 ? 0 : value;
}

function signed(value: number | null, unit: string): string {
  if (value === null) return 'n/a';
  return `${value > 0 ? '+' : value < 0 ? '−' : '±'}${Math.abs(value)}${unit}`;
}

function untracked(measurement: TumourMeasurement, reason: string): UntrackedLesion {
  return {
    source: measurement.source,
    lesionId: measurement.lesion?.lesionId ?? null,
    display: measurement.lesion?.display ?? null,
    diameterMm: measurement.diameterMm,
    reason,
  };
}

const NO_IDENTITY =
  'nothing identifies the lesion (no focus, tracking identifier or body site): it cannot be followed';

/**
 * The target lesions and their sum at a baseline. Each identified measurement is a target (the
 * reader chose what to measure); a second measurement of the same lesion is kept out.
 */
export function recistBaseline(examId: string, measurements: readonly TumourMeasurement[]): RecistBaseline {
  const targets: RecistTarget[] = [];
  const left: UntrackedLesion[] = [];
  for (const measurement of measurements) {
    const lesion = measurement.lesion;
    if (!lesion) {
      left.push(untracked(measurement, NO_IDENTITY));
      continue;
    }
    const twin = targets.find((t) =>
      t.keys.some((k) => isStrong(k) && lesion.keys.some((l) => sameKey(k, l))),
    );
    if (twin) {
      left.push(untracked(measurement, `a second measurement of ${twin.lesionId} in the same report`));
      continue;
    }
    targets.push({
      lesionId: lesion.lesionId,
      display: lesion.display,
      node: measurement.node,
      diameterKind: measurement.diameterKind,
      keys: lesion.keys,
      baselineMm: measurement.diameterMm,
      baselineSource: measurement.source,
    });
  }
  const sumH = targets.reduce((sum, t) => sum + hundredths(t.baselineMm), 0);
  return { examId, targets, sumMm: toMm(sumH), untracked: left };
}

// A strong key (tracking UID or identifier, BodyStructure) matches on its own. A body site matches
// only when exactly one target has it and neither side has a strong key that could tell them apart.
function targetFor(
  measurement: TumourMeasurement,
  targets: readonly RecistTarget[],
): { target: RecistTarget } | { reason: string } | null {
  const keys = measurement.lesion?.keys ?? [];
  const strong = keys.filter(isStrong);
  const byStrong = targets.filter((t) => t.keys.some((k) => strong.some((s) => sameKey(k, s))));
  if (byStrong.length > 1)
    return { reason: `matches several target lesions (${byStrong.map((t) => t.lesionId).join(', ')})` };
  const strongMatch = byStrong.at(0);
  if (strongMatch) return { target: strongMatch };
  const site = keys.find((k) => k.source === 'body-site');
  if (!site) return null;
  const sameSite = targets.filter((t) => t.keys.some((k) => sameKey(k, site)));
  if (sameSite.length > 1)
    return {
      reason: `its body site is shared by several target lesions (${sameSite.map((t) => t.lesionId).join(', ')}); give each a tracking identifier or a focus BodyStructure`,
    };
  const only = sameSite.at(0);
  if (only && (strong.length === 0 || !only.keys.some(isStrong))) return { target: only };
  return null;
}

function stateOf(target: RecistTarget, mm: number | null): TargetLesionEvidence['state'] {
  if (mm === null) return 'missing';
  if (target.node)
    return hundredths(mm) < hundredths(RECIST.normalNodeShortAxisMm) ? 'node-normal' : 'measured';
  return hundredths(mm) === 0 ? 'gone' : 'measured';
}

/**
 * One follow-up against its baseline and the nadir so far. The category is decided in this order:
 * a new lesion (PD); a missing target (NE, unless the lesions measured already make PD); PD by the
 * sum; CR; PR; SD.
 */
export function assessFollowUp(
  baseline: RecistBaseline,
  nadir: { sumMm: number; examId: string },
  examId: string,
  findings: RecistFindings,
): RecistAssessment {
  const matched = new Map<RecistTarget, TumourMeasurement>();
  const left: UntrackedLesion[] = [];
  const newLesions: NewLesionFinding[] = [...findings.newLesions];
  for (const measurement of findings.measurements) {
    // A lesion the reader flags as new is new, even where an old one was (a new lesion in the same organ).
    if (measurement.newLesion) {
      const { lesion } = measurement;
      newLesions.push({
        source: measurement.source,
        lesionId: lesion?.lesionId ?? null,
        display: lesion?.display ?? null,
      });
      continue;
    }
    if (!measurement.lesion) {
      left.push(untracked(measurement, NO_IDENTITY));
      continue;
    }
    const found = targetFor(measurement, baseline.targets);
    if (found && 'target' in found) {
      if (matched.has(found.target))
        left.push(
          untracked(measurement, `a second measurement of ${found.target.lesionId} in the same report`),
        );
      else matched.set(found.target, measurement);
    } else {
      left.push(
        untracked(
          measurement,
          found?.reason ??
            'not measured at baseline: not a target lesion (a new lesion must be flagged tumour-assessment#new-lesion)',
        ),
      );
    }
  }

  const lesions: TargetLesionEvidence[] = baseline.targets.map((target) => {
    const measurement = matched.get(target);
    const currentMm = measurement?.diameterMm ?? null;
    return {
      lesionId: target.lesionId,
      display: target.display,
      node: target.node,
      diameterKind: target.diameterKind,
      baselineMm: target.baselineMm,
      baselineSource: target.baselineSource,
      currentMm,
      currentSource: measurement?.source ?? null,
      state: stateOf(target, currentMm),
    };
  });
  const missing = lesions.filter((l) => l.state === 'missing');
  const complete = missing.length === 0;
  const sumH = lesions.reduce((sum, l) => sum + (l.currentMm === null ? 0 : hundredths(l.currentMm)), 0);
  const baseH = hundredths(baseline.sumMm);
  const nadirH = hundredths(nadir.sumMm);
  const fromNadirH = sumH - nadirH;
  const fromBaseH = sumH - baseH;
  const progressionBySum =
    fromNadirH * 100 >= RECIST.progressionPercent * nadirH &&
    fromNadirH >= hundredths(RECIST.progressionMinimumMm);
  const sum = toMm(sumH);
  const pctBase = percent(fromBaseH, baseH);
  const pctNadir = percent(fromNadirH, nadirH);
  const versusNadir = `${signed(pctNadir, ' %')} and ${signed(toMm(fromNadirH), ' mm')} from the nadir ${nadir.sumMm} mm`;

  let category: ResponseCategory;
  let reason: string;
  if (newLesions.length > 0) {
    category = 'PD';
    reason = `PD: ${newLesions.length === 1 ? 'a new lesion' : `${newLesions.length} new lesions`} (${newLesions
      .map((n) => n.display ?? n.lesionId ?? n.source)
      .join(', ')}), whatever the sum.`;
  } else if (!complete && progressionBySum) {
    category = 'PD';
    reason = `PD: ${missing.length} target lesion(s) not measured, but the measured ones alone are ${versusNadir} (PD needs +${RECIST.progressionPercent} % and +${RECIST.progressionMinimumMm} mm).`;
  } else if (!complete) {
    category = 'NE';
    reason = `NE: target lesion(s) ${missing.map((l) => l.lesionId).join(', ')} not measured at this exam.`;
  } else if (progressionBySum) {
    category = 'PD';
    reason = `PD: the sum ${sum} mm is ${versusNadir} (PD needs +${RECIST.progressionPercent} % and +${RECIST.progressionMinimumMm} mm).`;
  } else if (lesions.every((l) => l.state === 'gone' || l.state === 'node-normal')) {
    category = 'CR';
    reason = `CR: every target lesion is gone${lesions.some((l) => l.node) ? `, lymph nodes under ${RECIST.normalNodeShortAxisMm} mm short axis` : ''}.`;
  } else if (fromBaseH * 100 <= -RECIST.partialResponsePercent * baseH) {
    category = 'PR';
    reason = `PR: the sum ${sum} mm is ${signed(pctBase, ' %')} from the baseline ${baseline.sumMm} mm (PR needs −${RECIST.partialResponsePercent} % or less).`;
  } else {
    category = 'SD';
    reason = `SD: the sum ${sum} mm is ${signed(pctBase, ' %')} from the baseline ${baseline.sumMm} mm and ${versusNadir}: neither −${RECIST.partialResponsePercent} % from baseline nor +${RECIST.progressionPercent} % and +${RECIST.progressionMinimumMm} mm from the nadir.`;
  }
  const showSum = complete || category === 'PD';
  return {
    examId,
    category,
    reason,
    sumMm: showSum ? sum : null,
    baselineSumMm: baseline.sumMm,
    nadirSumMm: nadir.sumMm,
    nadirExamId: nadir.examId,
    percentFromBaseline: showSum ? pctBase : null,
    percentFromNadir: showSum ? pctNadir : null,
    changeFromBaselineMm: showSum ? toMm(fromBaseH) : null,
    changeFromNadirMm: showSum ? toMm(fromNadirH) : null,
    lesions,
    newLesions,
    untracked: left,
    complete,
  };
}

/**
 * Assesses the follow-ups of one treatment line in time order. The nadir starts at the baseline
 * sum and moves to every smaller sum of a follow-up whose targets were all measured. A new line of
 * treatment has its own baseline, so its nadir and sums start again.
 */
export function assessTreatmentLine(
  baseline: RecistBaseline,
  followUps: readonly { examId: string; findings: RecistFindings }[],
): RecistAssessment[] {
  let nadir = { sumMm: baseline.sumMm, examId: baseline.examId };
  return followUps.map(({ examId, findings }) => {
    const assessment = assessFollowUp(baseline, nadir, examId, findings);
    if (
      assessment.complete &&
      assessment.sumMm !== null &&
      hundredths(assessment.sumMm) < hundredths(nadir.sumMm)
    )
      nadir = { sumMm: assessment.sumMm, examId };
    return assessment;
  });
}
