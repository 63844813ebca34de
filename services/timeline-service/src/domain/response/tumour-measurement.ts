import type { CodeableConcept, Observation, Quantity, Resource } from '@medplum/fhirtypes';
import { lesionIdentityOf, lymphNodeEvidence } from './lesion-identity.ts';
import {
  LOINC_SYSTEM,
  LONG_AXIS_CODE,
  LONGEST_DIMENSION_CODE,
  MCODE_TUMOR_SIZE_PROFILE,
  OTHER_DIMENSION_CODE,
  SHORT_AXIS_CODE,
  SNOMED_SYSTEM,
  TUMOUR_ASSESSMENT_SYSTEM,
  TUMOUR_SIZE_CODE,
  UCUM_SYSTEM,
  isCoding,
} from './response-codes.ts';
import type { TumourMeasurement } from './response.types.ts';

/** A tumour is not a metre long: larger values are typing errors, not sizes. */
export const MAX_PLAUSIBLE_DIAMETER_MM = 1000;

/** Statuses whose values stand; `registered`, `cancelled`, `entered-in-error` and `unknown` don't. */
const USABLE_STATUSES: readonly string[] = ['final', 'amended', 'corrected', 'preliminary'];

export type MeasurementReading =
  | { kind: 'measurement'; measurement: TumourMeasurement }
  | { kind: 'rejected'; source: string; reason: string }
  | { kind: 'not-a-measurement' };

function hasCode(concept: CodeableConcept | undefined, system: string, code: string): boolean {
  return (concept?.coding ?? []).some((coding) => isCoding(coding, system, code));
}

/** True when the Observation claims to be a tumour size: LOINC 21889-1, or the mCODE TumorSize profile. */
export function isTumourSizeObservation(observation: Observation): boolean {
  return (
    hasCode(observation.code, LOINC_SYSTEM, TUMOUR_SIZE_CODE) ||
    (observation.meta?.profile ?? []).some((p) => p.split('|')[0] === MCODE_TUMOR_SIZE_PROFILE)
  );
}

function roundMm(value: number): number {
  const rounded = Math.round(value * 100) / 100;
  return rounded === 0 ? 0 : rounded;
}

/** Millimetres of a UCUM `mm` or `cm` quantity, or why not. */
export function quantityToMm(
  quantity: Quantity | undefined,
  what: string,
): { mm: number } | { error: string } {
  if (!quantity) {
    return { error: `${what} has no valueQuantity` };
  }
  const { value, comparator } = quantity;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return { error: `${what} has no numeric value` };
  }
  if (comparator) {
    return { error: `${what} is "${comparator} ${value}": a bound, not a size` };
  }
  if (quantity.system !== undefined && quantity.system !== UCUM_SYSTEM) {
    return { error: `${what} uses unit system ${quantity.system}, not UCUM` };
  }
  const unit = (quantity.code ?? quantity.unit)?.trim();
  const factor = unit === 'mm' ? 1 : unit === 'cm' ? 10 : undefined;
  if (factor === undefined) {
    return { error: `${what} is in "${unit ?? 'no unit'}", not mm or cm` };
  }
  const mm = roundMm(value * factor);
  if (mm < 0) {
    return { error: `${what} is negative (${value} ${unit})` };
  }
  if (mm > MAX_PLAUSIBLE_DIAMETER_MM) {
    return { error: `${what} is ${mm} mm, more than ${MAX_PLAUSIBLE_DIAMETER_MM} mm: not a plausible size` };
  }
  return { mm };
}

type Dimension = 'longest' | 'short' | 'other';

function dimensionOf(code: CodeableConcept | undefined): Dimension | undefined {
  if (hasCode(code, LOINC_SYSTEM, LONGEST_DIMENSION_CODE) || hasCode(code, SNOMED_SYSTEM, LONG_AXIS_CODE)) {
    return 'longest';
  }
  if (hasCode(code, SNOMED_SYSTEM, SHORT_AXIS_CODE)) {
    return 'short';
  }
  if (hasCode(code, LOINC_SYSTEM, OTHER_DIMENSION_CODE)) {
    return 'other';
  }
  return undefined;
}

function flagged(observation: Observation, code: string): boolean {
  return [...(observation.interpretation ?? []), ...(observation.category ?? [])].some((concept) =>
    hasCode(concept, TUMOUR_ASSESSMENT_SYSTEM, code),
  );
}

/** RECIST 1.1: a lesion present but too small to measure counts as 5 mm. */
export const TOO_SMALL_TO_MEASURE_MM = 5;

/**
 * Reads one tumour measurement: an Observation coded LOINC 21889-1 or claiming the mCODE
 * TumorSize profile. The longest diameter is the component 33728-7 (or SNOMED CT long axis), else
 * the Observation's own value; the short axis is the component SNOMED CT 103340004. A lymph node
 * (see `lymphNodeEvidence`) counts by its short axis; without one, its own value is read as the
 * short axis (a RECIST reader reports a node by it), else its longest diameter, with a note.
 * Values in mm or cm (UCUM) become mm. `contained` is where `#id` references resolve (the
 * report's contained resources). Other Observations are `not-a-measurement`.
 */
export function readTumourMeasurement(
  observation: Observation,
  { source, contained = [] }: { source: string; contained?: readonly Resource[] },
): MeasurementReading {
  if (!isTumourSizeObservation(observation)) {
    return { kind: 'not-a-measurement' };
  }
  const rejected = (reason: string): MeasurementReading => ({ kind: 'rejected', source, reason });
  if (!USABLE_STATUSES.includes(observation.status)) {
    return rejected(
      `status "${observation.status}": only final, amended, corrected or preliminary values count`,
    );
  }
  const profiled = (observation.meta?.profile ?? []).some(
    (p) => p.split('|')[0] === MCODE_TUMOR_SIZE_PROFILE,
  );
  if (profiled && !observation.focus?.length && !observation.specimen) {
    return rejected(
      'mCODE TumorSize must name the tumour (focus) or the specimen it was measured on (invariant must-have-focus-or-specimen); it has neither',
    );
  }

  const dims: Record<Dimension, number[]> = { longest: [], short: [], other: [] };
  for (const component of observation.component ?? []) {
    const dimension = dimensionOf(component.code);
    if (!dimension) {
      continue;
    }
    const read = quantityToMm(component.valueQuantity, `component ${component.code.coding?.[0]?.code ?? ''}`);
    if ('error' in read) {
      return rejected(read.error);
    }
    dims[dimension].push(read.mm);
  }
  if (profiled && dims.longest.length === 0) {
    return rejected('mCODE TumorSize needs its longest dimension (component 33728-7); it has none');
  }
  let ownValue: number | null = null;
  if (observation.valueQuantity) {
    const read = quantityToMm(observation.valueQuantity, 'the value');
    if ('error' in read) {
      return rejected(read.error);
    }
    ownValue = read.mm;
  }

  const contextual = [...contained];
  const nodeEvidence = lymphNodeEvidence(observation, contextual);
  const node = nodeEvidence !== null;
  const notes: string[] = [];
  const longestDiameterMm = dims.longest.at(0) ?? (node ? null : ownValue);
  const shortAxisMm = dims.short.at(0) ?? (node ? ownValue : null);
  let diameterMm: number | null = node ? shortAxisMm : longestDiameterMm;
  if (node && diameterMm === null && longestDiameterMm !== null) {
    diameterMm = longestDiameterMm;
    notes.push('a lymph node without a short axis: its longest diameter is used');
  }
  const tooSmall = flagged(observation, 'too-small-to-measure');
  if (tooSmall) {
    diameterMm = TOO_SMALL_TO_MEASURE_MM;
    notes.push(`too small to measure: counted as ${TOO_SMALL_TO_MEASURE_MM} mm`);
  }
  if (diameterMm === null) {
    return rejected('no diameter: neither a longest-dimension component (33728-7) nor a valueQuantity');
  }
  return {
    kind: 'measurement',
    measurement: {
      source,
      lesion: lesionIdentityOf(observation, contextual),
      node,
      nodeEvidence,
      longestDiameterMm,
      shortAxisMm,
      otherDimensionsMm: dims.other,
      diameterMm,
      diameterKind: node && shortAxisMm !== null ? 'short-axis' : 'longest-diameter',
      newLesion: flagged(observation, 'new-lesion'),
      newLesionEquivocal: flagged(observation, 'new-lesion-equivocal'),
      reportTarget: flagged(observation, 'target-lesion')
        ? true
        : flagged(observation, 'non-target-lesion')
          ? false
          : null,
      ...(tooSmall ? { tooSmallToMeasure: true } : {}),
      notes,
    },
  };
}

/**
 * A `tumour-assessment#new-lesion` Observation: true when it states a new lesion (any value but
 * `valueBoolean: false`), false when it states there is none, undefined when it is something else.
 */
export function statesNewLesion(observation: Observation): boolean | undefined {
  if (!hasCode(observation.code, TUMOUR_ASSESSMENT_SYSTEM, 'new-lesion')) {
    return undefined;
  }
  if (!USABLE_STATUSES.includes(observation.status)) {
    return undefined;
  }
  return observation.valueBoolean !== false;
}

/** A `tumour-assessment#new-lesion-equivocal` Observation that states a possible new lesion. */
export function statesEquivocalNewLesion(observation: Observation): boolean {
  return (
    hasCode(observation.code, TUMOUR_ASSESSMENT_SYSTEM, 'new-lesion-equivocal') &&
    USABLE_STATUSES.includes(observation.status) &&
    observation.valueBoolean !== false
  );
}

/** True when the Observation's status lets its value stand. */
export function isUsableStatus(observation: Observation): boolean {
  return USABLE_STATUSES.includes(observation.status);
}
