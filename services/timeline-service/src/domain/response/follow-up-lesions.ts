import { lesionMatch } from './lesion-match.ts';
import { TOO_SMALL_TO_MEASURE_MM } from './tumour-measurement.ts';
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
): { target: RecistTarget } | { coalesced: RecistTarget[] } | { reason: string } | null {
  const found = lesionMatch(measurement.lesion?.keys ?? [], targets);
  if (found && 'match' in found) {
    return { target: found.match };
  }
  // Strong keys of several targets on one measurement: the lesions have coalesced (RECIST 1.1, 4.3.2).
  return found?.coalesced ? { coalesced: found.coalesced } : found;
}

export const TOO_SMALL_NOTE = `too small to measure: counted as ${TOO_SMALL_TO_MEASURE_MM} mm`;

// A node target is followed on the axis it was measured on at baseline: a follow-up that gives
// only the other axis leaves it not evaluable, never compared across axes.
function fragmentValue(
  target: RecistTarget,
  measurement: TumourMeasurement,
): { mm: number | null; note?: string } {
  if (measurement.tooSmallToMeasure) {
    return { mm: TOO_SMALL_TO_MEASURE_MM, note: TOO_SMALL_NOTE };
  }
  if (target.node && target.diameterKind === 'short-axis') {
    return measurement.shortAxisMm === null
      ? {
          mm: null,
          note: 'a lymph node measured without its short axis: not comparable with its short-axis baseline',
        }
      : { mm: measurement.shortAxisMm };
  }
  return { mm: measurement.diameterMm };
}

/** What a target holds at a follow-up: its measurements (several when it split), or the target it merged into. */
export interface TargetReading {
  measurements: TumourMeasurement[];
  /** A measurement of coalesced targets that gives its diameter to another of them: this one counts 0 mm. */
  mergedInto?: { lesionId: string; source: string };
  /** The other targets whose coalesced measurement counts here. */
  absorbed?: string[];
}

/**
 * The value of a target at a follow-up (RECIST 1.1, 4.3.2): a lesion that split counts the sum of
 * its fragments; lesions that coalesced give the measurement to one of them, the others 0 mm; a
 * lesion too small to measure counts 5 mm.
 */
export function currentValue(
  target: RecistTarget,
  reading: TargetReading | undefined,
): { mm: number | null; source: string | null; note?: string } {
  if (reading?.mergedInto) {
    return {
      mm: 0,
      source: reading.mergedInto.source,
      note: `merged into ${reading.mergedInto.lesionId}: counted as 0 mm`,
    };
  }
  const fragments = reading?.measurements ?? [];
  const first = fragments.at(0);
  if (!first) {
    return { mm: null, source: null };
  }
  const values = fragments.map((m) => fragmentValue(target, m));
  const notes = [...new Set(values.map((v) => v.note).filter((n): n is string => n !== undefined))];
  if (fragments.length > 1) {
    const known = values.map((v) => v.mm).filter((mm): mm is number => mm !== null);
    notes.unshift(`split: sum of ${fragments.length} fragments (${known.join(' + ')} mm)`);
  }
  if (reading?.absorbed?.length) {
    notes.push(`merged: holds ${reading.absorbed.join(', ')}, which count 0 mm`);
  }
  const note = notes.length > 0 ? notes.join('; ') : undefined;
  const mm = values.some((v) => v.mm === null)
    ? null
    : toMm(values.reduce((sum, v) => sum + hundredths(v.mm ?? 0), 0));
  return { mm, source: first.source, ...(note ? { note } : {}) };
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
  matched: Map<RecistTarget, TargetReading>;
  left: UntrackedLesion[];
  newLesions: NewLesionFinding[];
  equivocal: NewLesionFinding[];
}

function readingOf(matched: Map<RecistTarget, TargetReading>, target: RecistTarget): TargetReading {
  const existing = matched.get(target);
  if (existing) {
    return existing;
  }
  const created: TargetReading = { measurements: [] };
  matched.set(target, created);
  return created;
}

/**
 * Which measurements of a follow-up belong to which target. Several measurements of one target are
 * the fragments of a lesion that split; one measurement of several targets (strong keys of each)
 * is the lesion they coalesced into: it counts for the first of them in the baseline's target
 * order, the others count 0 mm unless measured on their own.
 */
export function matchMeasurements(baseline: RecistBaseline, findings: RecistFindings): Matched {
  const result: Matched = {
    matched: new Map(),
    left: [],
    newLesions: [...findings.newLesions],
    equivocal: [...(findings.equivocalNewLesions ?? [])],
  };
  const merges: { into: RecistTarget; others: RecistTarget[]; source: string }[] = [];
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
      readingOf(result.matched, found.target).measurements.push(measurement);
    } else if (found && 'coalesced' in found) {
      // lesionMatch lists coalesced targets only when there are several.
      const [into, ...others] = found.coalesced;
      readingOf(result.matched, into).measurements.push(measurement);
      merges.push({ into, others, source: measurement.source });
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
  for (const { into, others, source } of merges) {
    const absorbed = others.filter((o) => !result.matched.get(o)?.measurements.length);
    for (const other of absorbed) {
      result.matched.set(other, { measurements: [], mergedInto: { lesionId: into.lesionId, source } });
    }
    const reading = readingOf(result.matched, into);
    reading.absorbed = [...(reading.absorbed ?? []), ...absorbed.map((o) => o.lesionId)];
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
