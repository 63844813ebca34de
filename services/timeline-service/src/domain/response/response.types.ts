import type { Coding, Observation } from '@medplum/fhirtypes';
import type { BestOverallResponse } from './best-response.ts';
import type { DiseaseStatus, ResponseCategory, ResponseMethod, ResponseWords } from '@oncoimg/fhir-events';

// The response vocabulary is the event contract's: the timeline summary carries the same words.
export {
  DISEASE_STATUSES,
  RESPONSE_CATEGORIES,
  RESPONSE_METHODS,
  RESPONSE_WORDS,
  type DiseaseStatus,
  type ResponseCategory,
  type ResponseMethod,
  type ResponseWords,
} from '@oncoimg/fhir-events';

/** Every response the timeline shows is computed, not read: a clinician must confirm it. */
export const DERIVED_RESPONSE_LABEL = 'derived — needs clinician confirmation';

/**
 * How a lesion is recognised across time, strongest first: a DICOM tracking UID or tracking
 * identifier (on the focus BodyStructure or the Observation), another identifier of the focus
 * BodyStructure, a literal reference to the focus BodyStructure, else body site plus laterality.
 */
export const LESION_KEY_SOURCES = [
  'tracking-uid',
  'tracking-id',
  'body-structure-identifier',
  'focus-reference',
  'body-site',
] as const;
export type LesionKeySource = (typeof LESION_KEY_SOURCES)[number];

export interface LesionKey {
  source: LesionKeySource;
  value: string;
}

/** Who a lesion is. Two measurements are the same lesion when they share a key (see `recist.ts`). */
export interface LesionIdentity {
  /** Strongest first. */
  keys: LesionKey[];
  /** How the timeline names the lesion: its strongest key, `source:value`. */
  lesionId: string;
  /** Words for people: the BodyStructure's description or location, the body site, the tracking id. */
  display: string | null;
}

/** Which diameter RECIST uses: the longest, or the short axis of a lymph node. */
export type DiameterKind = 'longest-diameter' | 'short-axis';

/** One tumour measurement read from an Observation, in millimetres (0.01 mm precision). */
export interface TumourMeasurement {
  /** The Observation: `DiagnosticReport/abc#m1` for one contained in a report. */
  source: string;
  /** Null when nothing identifies the lesion: it can then not be followed across time. */
  lesion: LesionIdentity | null;
  /** A lymph node, measured by its short axis. */
  node: boolean;
  /** Why it is a node (the code or word that says so). */
  nodeEvidence: string | null;
  longestDiameterMm: number | null;
  shortAxisMm: number | null;
  otherDimensionsMm: number[];
  /** The diameter that counts for RECIST. */
  diameterMm: number;
  diameterKind: DiameterKind;
  /** The lesion is flagged as new (`tumour-assessment#new-lesion` in interpretation or category). */
  newLesion: boolean;
  /** Flagged `tumour-assessment#new-lesion-equivocal`: possibly new, not yet progression. */
  newLesionEquivocal?: boolean;
  /** The report's own choice: `target-lesion` (true), `non-target-lesion` (false), else null. */
  reportTarget?: boolean | null;
  /** The report states the lesion present but too small to measure: it counts 5 mm (RECIST 1.1). */
  tooSmallToMeasure?: boolean;
  /** Things a reader should know about how it was read. */
  notes: string[];
}

/** A new lesion a report states: a flagged measurement, or a `new-lesion` Observation. */
export interface NewLesionFinding {
  source: string;
  lesionId: string | null;
  display: string | null;
}

/** Something in a report that was not used, and why. */
export interface NotRead {
  source: string;
  reason: string;
}

/** The state of a target lesion at a follow-up. */
export const TARGET_STATES = ['measured', 'gone', 'node-normal', 'missing', 'not-evaluable'] as const;
export type TargetState = (typeof TARGET_STATES)[number];

/** A target lesion: its baseline value and its value at this exam. */
export interface TargetLesionEvidence {
  lesionId: string;
  display: string | null;
  node: boolean;
  diameterKind: DiameterKind;
  baselineMm: number;
  baselineSource: string;
  /** Null when the lesion is missing from this exam's report. */
  currentMm: number | null;
  currentSource: string | null;
  state: TargetState;
  /** Why the state is what it is, when it is not plain (a node measured on the other axis, a lesion
   * too small to measure, split into fragments or merged with another target). */
  note?: string;
}

/** The CDISC tumour-state terms a report gives a non-target lesion. */
export const NON_TARGET_STATES = ['present', 'absent', 'unequivocal-progression', 'not-evaluable'] as const;
export type NonTargetState = (typeof NON_TARGET_STATES)[number];

/** A `tumour-assessment#non-target-lesion` Observation of a report. */
export interface NonTargetFinding {
  source: string;
  lesion: LesionIdentity | null;
  state: NonTargetState;
}

/** A non-target lesion fixed at baseline and its state at this exam. */
export interface NonTargetLesionEvidence {
  lesionId: string;
  display: string | null;
  node: boolean;
  /** Why it is a non-target: the report said so, under 10 mm, a node of 10–15 mm, beyond 5 / 2 per organ. */
  why: string;
  baselineSource: string;
  baselineMm: number | null;
  /** `missing` when this exam's report does not mention it. */
  state: NonTargetState | 'missing';
  currentSource: string | null;
}

/** How the targets were chosen: by the RECIST 1.1 rule, or by the baseline report's own marks. */
export interface TargetSelection {
  rule: 'recist-1.1' | 'report';
  description: string;
}

/** RECIST 1.1 tables 4 and 5: the parts an overall response is made of. */
export interface OverallParts {
  /** Null when there are no targets (non-target disease only: table 5). */
  targets: ResponseCategory | null;
  /** Null when there is no non-target disease. */
  nonTargets: 'CR' | 'non-CR/non-PD' | 'PD' | 'NE' | null;
  newLesions: 'yes' | 'equivocal' | 'no';
  table: 4 | 5;
}

/** A measured lesion that is not a target (not at baseline, or not identifiable), and why. */
export interface UntrackedLesion {
  source: string;
  lesionId: string | null;
  display: string | null;
  diameterMm: number;
  reason: string;
}

/** What a response was derived from. */
export interface ResponseEvidence {
  /** The reports read (the one whose measurements or conclusion code was used first). */
  reports: string[];
  lesions: TargetLesionEvidence[];
  nonTargets: NonTargetLesionEvidence[];
  newLesions: NewLesionFinding[];
  /** Possible new lesions not (yet) confirmed. */
  equivocalNewLesions: NewLesionFinding[];
  untracked: UntrackedLesion[];
  targetSelection: TargetSelection | null;
  /** The parts of the overall response (RECIST 1.1 table 4 or 5); null when RECIST was not applied. */
  overall: OverallParts | null;
  /** When progression is dated from an earlier exam (an equivocal new lesion, confirmed now). */
  progressionSince: { examId: string; date: string | null } | null;
  /** A CR or PR confirmed by a later assessment at least the confirmation interval on; null otherwise. */
  confirmedBy: string | null;
  /** The disease-status coding of the report's `conclusionCode`, when that was used. */
  conclusionCode: Coding | null;
  notRead: NotRead[];
}

/**
 * The response of a follow-up against its treatment line's baseline, or the baseline's own sum.
 * Percentages are rounded to 0.1 %, millimetres to 0.01 mm; the category is decided on exact
 * values.
 */
export interface ExamResponse {
  kind: 'baseline' | 'follow-up';
  method: ResponseMethod;
  label: typeof DERIVED_RESPONSE_LABEL;
  /** The baseline exam of the treatment line (the exam itself for a baseline). */
  baselineExamId: string;
  treatmentLine: number | null;
  /** RECIST category; null for a baseline, a conclusion code, or nothing to assess. */
  category: ResponseCategory | null;
  words: ResponseWords;
  /** The mCODE condition status trend this response amounts to. */
  diseaseStatus: DiseaseStatus | null;
  /** One sentence saying why. */
  reason: string;
  sumOfDiametersMm: number | null;
  baselineSumMm: number | null;
  /** Smallest sum so far in the line, baseline included, this exam excluded. */
  nadirSumMm: number | null;
  nadirExamId: string | null;
  percentFromBaseline: number | null;
  percentFromNadir: number | null;
  changeFromBaselineMm: number | null;
  changeFromNadirMm: number | null;
  evidence: ResponseEvidence;
  /** Draft mCODE CancerDiseaseStatus (`status: preliminary`); null when there is nothing to state. */
  diseaseStatusObservation: Observation | null;
  /** On a baseline measured by RECIST: the best overall response of its follow-ups, CR/PR confirmed. */
  bestOverallResponse?: BestOverallResponse;
}
