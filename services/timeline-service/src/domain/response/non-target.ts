import type { Observation, Resource } from '@medplum/fhirtypes';
import { lesionIdentityOf } from './lesion-identity.ts';
import { matchLesion } from './lesion-match.ts';
import { TUMOUR_ASSESSMENT_SYSTEM, isCoding } from './response-codes.ts';
import {
  NON_TARGET_STATES,
  type NonTargetFinding,
  type NonTargetLesionEvidence,
  type NonTargetState,
  type OverallParts,
  type TumourMeasurement,
} from './response.types.ts';
import { isUsableStatus } from './tumour-measurement.ts';

export type NonTargetReading =
  | { kind: 'non-target'; finding: NonTargetFinding }
  | { kind: 'rejected'; reason: string }
  | { kind: 'not-a-non-target' };

/**
 * Reads a `tumour-assessment#non-target-lesion` Observation: the lesion (identified like a
 * measurement) and its state from `valueCodeableConcept` of the same system: `present`,
 * `absent`, `unequivocal-progression` or `not-evaluable`.
 */
export function readNonTarget(
  observation: Observation,
  { source, contained }: { source: string; contained: readonly Resource[] },
): NonTargetReading {
  const coded = (observation.code.coding ?? []).some((c) =>
    isCoding(c, TUMOUR_ASSESSMENT_SYSTEM, 'non-target-lesion'),
  );
  if (!coded) {
    return { kind: 'not-a-non-target' };
  }
  if (!isUsableStatus(observation)) {
    return {
      kind: 'rejected',
      reason: `status "${observation.status}": only final, amended, corrected or preliminary values count`,
    };
  }
  const state = (observation.valueCodeableConcept?.coding ?? [])
    .filter((c) => c.system === TUMOUR_ASSESSMENT_SYSTEM)
    .map((c) => c.code?.trim())
    .find((code): code is NonTargetState =>
      (NON_TARGET_STATES as readonly (string | undefined)[]).includes(code),
    );
  if (!state) {
    return {
      kind: 'rejected',
      reason: `a non-target lesion needs valueCodeableConcept tumour-assessment#${NON_TARGET_STATES.join(' | ')}`,
    };
  }
  return { kind: 'non-target', finding: { source, lesion: lesionIdentityOf(observation, contained), state } };
}

/** A non-target lesion at baseline: a stated one, or a measured lesion not chosen as target. */
export interface BaselineNonTarget {
  lesionId: string;
  display: string | null;
  node: boolean;
  why: string;
  keys: NonNullable<NonTargetFinding['lesion']>['keys'];
  baselineSource: string;
  baselineMm: number | null;
}

// A measured non-target is present while it has a size; a node is normal under 10 mm short axis.
function measuredState(target: BaselineNonTarget, measurement: TumourMeasurement): NonTargetState {
  const mm = target.node ? (measurement.shortAxisMm ?? measurement.diameterMm) : measurement.diameterMm;
  return mm === 0 || (target.node && mm < 10) ? 'absent' : 'present';
}

/**
 * The state of each baseline non-target lesion at a follow-up, from the report's non-target
 * Observations, else from a measurement of the same lesion; `missing` when the report is silent.
 */
export function assessNonTargets(
  nonTargets: readonly BaselineNonTarget[],
  findings: readonly NonTargetFinding[],
  measurements: readonly TumourMeasurement[],
): NonTargetLesionEvidence[] {
  return nonTargets.map((nonTarget) => {
    const stated = findings.find((f) => f.lesion && matchLesion(f.lesion.keys, [nonTarget]) === nonTarget);
    const measured = stated
      ? undefined
      : measurements.find((m) => m.lesion && matchLesion(m.lesion.keys, [nonTarget]) === nonTarget);
    return {
      lesionId: nonTarget.lesionId,
      display: nonTarget.display,
      node: nonTarget.node,
      why: nonTarget.why,
      baselineSource: nonTarget.baselineSource,
      baselineMm: nonTarget.baselineMm,
      state: stated?.state ?? (measured ? measuredState(nonTarget, measured) : 'missing'),
      currentSource: stated?.source ?? measured?.source ?? null,
    };
  });
}

/**
 * The non-target response (RECIST 1.1): PD on unequivocal progression; CR when every non-target
 * is absent; NE when one is not evaluated; else non-CR/non-PD. Null without non-target disease.
 */
export function nonTargetResponse(lesions: readonly NonTargetLesionEvidence[]): OverallParts['nonTargets'] {
  if (lesions.length === 0) {
    return null;
  }
  if (lesions.some((l) => l.state === 'unequivocal-progression')) {
    return 'PD';
  }
  if (lesions.every((l) => l.state === 'absent')) {
    return 'CR';
  }
  if (lesions.some((l) => l.state === 'not-evaluable' || l.state === 'missing')) {
    return 'NE';
  }
  return 'non-CR/non-PD';
}
