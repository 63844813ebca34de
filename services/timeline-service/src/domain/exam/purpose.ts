import type { ImagingStudy, ServiceRequest } from '@medplum/fhirtypes';
import { codingsOf, conceptTexts } from './fhir-text.ts';
import { RT_MODALITIES, studyModalityCodes } from './modality.ts';
import { planningEvidence } from './planning.ts';
import { IMAGING_PURPOSE_SYSTEM, isImagingPurpose, type ImagingPurpose } from './purpose-code-system.ts';

/** Where an exam's purpose came from, strongest first. */
export const PURPOSE_SOURCES = ['order-code', 'order-procedure', 'order-reason', 'study', 'default'] as const;
export type PurposeSource = (typeof PURPOSE_SOURCES)[number];

export interface PurposeDecision {
  purpose: ImagingPurpose;
  source: PurposeSource;
  /** What matched, e.g. `ServiceRequest.reasonCode "staging"`; null for the default. */
  evidence: string | null;
}

const SNOMED = 'http://snomed.info/sct';

// Reason codes whose meaning is unambiguous; everything else is read from the words.
const SNOMED_REASON_PURPOSES: Readonly<Record<string, ImagingPurpose>> = {
  '20135006': 'screening', // Screening procedure
  '254292007': 'staging', // Tumor staging
  '86273004': 'guidance', // Biopsy
  '261004008': 'diagnosis', // Diagnostic intent
};

// Checked in this order: the first purpose whose words appear wins, so the more specific intent
// ("response assessment", "planning") beats the generic one ("follow-up", "staging").
const REASON_WORDS: readonly (readonly [ImagingPurpose, RegExp])[] = [
  [
    'planning',
    /\b(?:rt|radiotherapy|radiation(?: therapy)?|treatment|irradiation)[- ]plan(?:ning)?\b|\bplanning\b|\bsimulation\b|\bsim[- ]?ct\b|\bct[- ]?sim\b|\b4d[- ]?ct\b/,
  ],
  [
    'guidance',
    /(?<!post[- ]?)\bbiops(?:y|ies)\b|\bguided\b|\bguidance\b|\bfine[- ]needle\b|\bfna\b|\bcore needle\b|\bablation\b|\bfiducials?\b|\bmarker placement\b|\bdrain(?:age)? placement\b/,
  ],
  ['baseline', /\bbaseline\b|\bpre[- ]?(?:treatment|therapy)\b/],
  [
    'response',
    /\bresponse\b|\bre-?staging\b|\bon[- ]treatment\b|\bduring (?:chemo\w*|treatment|therapy|immunotherapy|radiotherapy)\b|\binterim\b|\bmid[- ]treatment\b|\bafter (?:\d+|one|two|three|four|five|six) cycles?\b|\brecist\b|\btreatment (?:evaluation|assessment|monitoring)\b/,
  ],
  [
    'surveillance',
    /\bsurveillance\b|\brecurren(?:ce|t)\b|\brelapse\b|\bfollow[- ]?up\b|\bpost[- ]?(?:treatment|therapy|operative|surgery|surgical|radiotherapy|chemo\w*)\b|\bremission\b|\bno evidence of disease\b/,
  ],
  ['staging', /\bstaging\b|\bmetasta\w*|\bextent of disease\b|\bwork[- ]?up\b/],
  ['screening', /\bscreening\b|\bscreen\b/],
  ['diagnosis', /\bdiagnos\w*|\bsuspect\w*|\bsuspicious\b|\brule out\b/],
];

// A procedure name ("CT guided biopsy", "CT simulation", "screening mammography") tells what is
// done, not why; only the purposes that are properties of the procedure itself are read from it,
// and those outrank the reason: a guided biopsy done "for tissue diagnosis" is still guidance.
const PROCEDURE_PURPOSES: ReadonlySet<ImagingPurpose> = new Set(['planning', 'guidance', 'screening']);

function matchWords(
  texts: readonly string[],
  allowed?: ReadonlySet<ImagingPurpose>,
): { purpose: ImagingPurpose; matched: string } | undefined {
  const text = texts.join(' \u2022 ').toLowerCase();
  if (!text) {
    return undefined;
  }
  for (const [purpose, pattern] of REASON_WORDS) {
    if (allowed && !allowed.has(purpose)) {
      continue;
    }
    const match = pattern.exec(text);
    if (match) {
      return { purpose, matched: match[0] };
    }
  }
  return undefined;
}

function explicitPurpose(order: ServiceRequest): PurposeDecision | undefined {
  const places = [
    ['ServiceRequest.category', codingsOf(order.category ?? [])],
    ['ServiceRequest.code', codingsOf([order.code])],
    ['ServiceRequest.orderDetail', codingsOf(order.orderDetail ?? [])],
  ] as const;
  for (const [path, codings] of places) {
    const coding = codings.find((c) => c.system === IMAGING_PURPOSE_SYSTEM && isImagingPurpose(c.code));
    if (coding && isImagingPurpose(coding.code)) {
      return {
        purpose: coding.code,
        source: 'order-code',
        evidence: `${path} imaging-purpose#${coding.code}`,
      };
    }
  }
  return undefined;
}

function reasonPurpose(order: ServiceRequest): PurposeDecision | undefined {
  for (const coding of codingsOf(order.reasonCode ?? [])) {
    const purpose = coding.system === SNOMED && coding.code ? SNOMED_REASON_PURPOSES[coding.code] : undefined;
    if (purpose) {
      return { purpose, source: 'order-reason', evidence: `ServiceRequest.reasonCode SNOMED ${coding.code}` };
    }
  }
  const reasonMatch = matchWords(conceptTexts(order.reasonCode ?? []));
  if (reasonMatch) {
    return {
      purpose: reasonMatch.purpose,
      source: 'order-reason',
      evidence: `ServiceRequest.reasonCode "${reasonMatch.matched}"`,
    };
  }
  const categories = (order.category ?? []).map((concept) => ({
    ...concept,
    coding: concept.coding?.filter((c) => c.system !== IMAGING_PURPOSE_SYSTEM),
  }));
  const categoryMatch = matchWords(conceptTexts(categories));
  if (categoryMatch) {
    return {
      purpose: categoryMatch.purpose,
      source: 'order-reason',
      evidence: `ServiceRequest.category "${categoryMatch.matched}"`,
    };
  }
  return undefined;
}

function procedurePurpose(order: ServiceRequest): PurposeDecision | undefined {
  const match = matchWords(conceptTexts([order.code]), PROCEDURE_PURPOSES);
  return match
    ? {
        purpose: match.purpose,
        source: 'order-procedure',
        evidence: `ServiceRequest.code "${match.matched}"`,
      }
    : undefined;
}

function studyPurpose(study: ImagingStudy): PurposeDecision | undefined {
  const rt = studyModalityCodes(study).find((code) => RT_MODALITIES.includes(code));
  if (rt) {
    return { purpose: 'planning', source: 'study', evidence: `ImagingStudy modality ${rt}` };
  }
  const descriptions = [
    study.description,
    ...(study.series ?? []).map((series) => series.description),
    ...conceptTexts(study.procedureCode ?? []),
  ].filter((text): text is string => Boolean(text?.trim()));
  const match = matchWords(descriptions, PROCEDURE_PURPOSES);
  return match
    ? { purpose: match.purpose, source: 'study', evidence: `ImagingStudy description "${match.matched}"` }
    : undefined;
}

/**
 * The purpose of an exam. The planning invariant comes first (`planningEvidence`: an RT modality,
 * or an order or study coded as planning, is `planning` whatever the words say). Then the first
 * source that tells: an explicit imaging-purpose code on
 * the order; the procedure the order names when it is by nature planning, guidance or screening;
 * the order's reason (SNOMED code or words) or category text; the study (an RT modality —
 * RTSTRUCT, RTPLAN, RTDOSE, RTIMAGE, RTRECORD — or a planning/guidance/screening description);
 * else `diagnosis`.
 */
export function examPurpose({
  order,
  study,
}: {
  order: ServiceRequest | null;
  study: ImagingStudy | null;
}): PurposeDecision {
  const planning = planningEvidence({ order, study });
  if (planning) {
    return { purpose: 'planning', ...planning };
  }
  if (order) {
    const decided = explicitPurpose(order) ?? procedurePurpose(order) ?? reasonPurpose(order);
    if (decided) {
      return decided;
    }
  }
  const fromStudy = study ? studyPurpose(study) : undefined;
  return fromStudy ?? { purpose: 'diagnosis', source: 'default', evidence: null };
}

/** Diagnostic imaging is everything but planning scans and guidance images. */
export function isDiagnosticPurpose(purpose: ImagingPurpose): boolean {
  return purpose !== 'planning' && purpose !== 'guidance';
}
