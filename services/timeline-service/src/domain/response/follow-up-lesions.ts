import { lesionMatch } from './lesion-match.ts';
import { RECIST, type RecistBaseline, type RecistFindings, type RecistTarget } from './recist-model.ts';
import type {
  NewLesionFinding,
  TargetLesionEvidence,
  TumourMeasurement,
  UntrackedLesion,
} from './response.types.ts';

export const hundredths = (mm: number): number => Math.round(mm * 100);
export const toMm = (h: number): number => (h === 0 ? 0 : h / 100);

export function untracked(measurement: TumourMeasurement, reason: string): UntrackedLesion {
  return {
    source: measurement.source,
    lesionId: measurement.lesion?.lesionId ?? null,
    display: measurement.lesion?.display ?? null,
    diameterMm: measurement.diameterMm,
    reason,
  };
}

export const NO_IDENTITY =
  'nothing identifies the lesion (no focus, tracking identifier or body site): it cannot be followed';

export function targetFor(
  measurement: TumourMeasurement,
  targets: readonly RecistTarget[],
): { target: RecistTarget } | { reason: string } | null {
  const found = lesionMatch(measurement.lesion?.keys ?? [], targets);
  return found && 'match' in found ? { target: found.match } : found;
}

// A node target is followed on the axis it was measured on at baseline: a follow-up that gives
// only the other axis leaves it not evaluable, never compared across axes.
export function currentValue(
  target: RecistTarget,
  measurement: TumourMeasurement | undefined,
): { mm: number | null; note?: string } {
  if (!measurement) {
    return { mm: null };
  }
  if (target.node && target.diameterKind === 'short-axis') {
    return measurement.shortAxisMm === null && !measurement.notes.some((n) => n.startsWith('too small'))
      ? {
          mm: null,
          note: 'a lymph node measured without its short axis: not comparable with its short-axis baseline',
        }
      : { mm: measurement.shortAxisMm ?? measurement.diameterMm };
  }
  return { mm: measurement.diameterMm };
}

export function stateOf(
  target: RecistTarget,
  mm: number | null,
  note: string | undefined,
): TargetLesionEvidence['state'] {
  if (mm === null) {
    return note ? 'not-evaluable' : 'missing';
  }
  if (target.node) {
    return hundredths(mm) < hundredths(RECIST.normalNodeShortAxisMm) ? 'node-normal' : 'measured';
  }
  return hundredths(mm) === 0 ? 'gone' : 'measured';
}

export interface Matched {
  matched: Map<RecistTarget, TumourMeasurement>;
  left: UntrackedLesion[];
  newLesions: NewLesionFinding[];
  equivocal: NewLesionFinding[];
}

export function matchMeasurements(baseline: RecistBaseline, findings: RecistFindings): Matched {
  const result: Matched = {
    matched: new Map(),
    left: [],
    newLesions: [...findings.newLesions],
    equivocal: [...(findings.equivocalNewLesions ?? [])],
  };
  for (const measurement of findings.measurements) {
    const { lesion } = measurement;
    // A lesion the reader flags as new is new, even where an old one was (a new lesion in the same organ).
    if (measurement.newLesion || measurement.newLesionEquivocal) {
      const finding = {
        source: measurement.source,
        lesionId: lesion?.lesionId ?? null,
        display: lesion?.display ?? null,
      };
      (measurement.newLesion ? result.newLesions : result.equivocal).push(finding);
      continue;
    }
    if (!lesion) {
      result.left.push(untracked(measurement, NO_IDENTITY));
      continue;
    }
    const found = targetFor(measurement, baseline.targets);
    if (found && 'target' in found) {
      if (result.matched.has(found.target)) {
        result.left.push(
          untracked(measurement, `a second measurement of ${found.target.lesionId} in the same report`),
        );
      } else {
        result.matched.set(found.target, measurement);
      }
    } else if (!baseline.nonTargets.some((n) => lesionMatch(lesion.keys, [n]) !== null)) {
      result.left.push(
        untracked(
          measurement,
          found?.reason ??
            'not measured at baseline: not a target lesion (a new lesion must be flagged tumour-assessment#new-lesion)',
        ),
      );
    }
  }
  return result;
}

// An equivocal new lesion is confirmed by an unequivocal one at a later exam: the same lesion when
// both are identified, else any new lesion. Progression then dates from the first sighting.
export function firstSighting(
  equivocal: readonly { examId: string; finding: NewLesionFinding }[],
  newLesions: readonly NewLesionFinding[],
): string | null {
  const confirmed = equivocal.find(({ finding }) =>
    newLesions.some(
      (n) => finding.lesionId === null || n.lesionId === null || n.lesionId === finding.lesionId,
    ),
  );
  return confirmed?.examId ?? null;
}

export const namesOf = (lesions: readonly NewLesionFinding[]): string =>
  lesions.map((n) => n.display ?? n.lesionId ?? n.source).join(', ');
