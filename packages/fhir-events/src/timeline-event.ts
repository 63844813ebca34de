/**
 * The derived stream `imaging.timeline.v1`: one event per change to a patient's timeline, keyed by
 * the patient key, carrying the new summary. Consumers that need the whole timeline read it from
 * `GET /api/patients/{patientKey}/timeline`; the summary answers the oncology questions on its own
 * (baseline, latest response, pending work, radiation).
 *
 * Headers are the same binary-mode CloudEvents headers as the FHIR topics, with
 * `ce_type: imaging.timeline.updated`, `ce_subject` the patient key and
 * `content-type: application/json`.
 */

import type { Observation } from '@medplum/fhirtypes';

/** Bumped on any incompatible change of `TimelineSummaryEvent`. */
export const TIMELINE_EVENT_SCHEMA_VERSION = 1;

export const TIMELINE_EVENT_TYPE = 'imaging.timeline.updated';
export const TIMELINE_EVENT_CONTENT_TYPE = 'application/json';

/** RECIST 1.1 categories, plus NE (not evaluable). */
export type ResponseCategory = 'CR' | 'PR' | 'SD' | 'PD' | 'NE' | 'non-CR/non-PD';

/** The same answer in plain words, for people who don't read RECIST. */
export type ResponseWords = 'gone' | 'shrunk' | 'stable' | 'grown' | 'not assessed';

export interface TimelineSummaryExam {
  examId: string;
  date: string | null;
  status: string;
  purpose: string;
  modality: string | null;
  planning: boolean;
  isBaseline: boolean;
  daysSinceBaseline: number | null;
  orderId: string | null;
  studyUid: string | null;
  reportIds: string[];
  response: TimelineSummaryResponse | null;
}

/** mCODE condition status trend, in words (SNOMED CT codes are in the draft Observation). */
export type DiseaseStatusTrend = 'improved' | 'stable' | 'worse' | 'undetermined' | 'not-detected';

/**
 * A follow-up's response against its treatment line's baseline. Always derived by this system,
 * never read from a clinician: `label` says so, and the Observation is `status: preliminary`.
 */
export interface TimelineSummaryResponse {
  /** `recist-1.1` from tumour measurements, `conclusion-code` from the report's disease-status code. */
  method: 'recist-1.1' | 'conclusion-code' | 'none';
  label: string;
  /** RECIST category; null when the response comes from a conclusion code or nothing was assessable. */
  category: ResponseCategory | null;
  words: ResponseWords;
  diseaseStatus: DiseaseStatusTrend | null;
  sumOfDiametersMm: number | null;
  baselineSumMm: number | null;
  nadirSumMm: number | null;
  percentFromBaseline: number | null;
  percentFromNadir: number | null;
  changeFromBaselineMm: number | null;
  changeFromNadirMm: number | null;
  /** Draft mCODE CancerDiseaseStatus (`status: preliminary`), null when there is nothing to state. */
  diseaseStatusObservation: Observation | null;
}

/** The value of an `imaging.timeline.v1` message. */
export interface TimelineSummaryEvent {
  schemaVersion: typeof TIMELINE_EVENT_SCHEMA_VERSION;
  patientKey: string;
  /** Increases by one with every change of this patient's timeline. */
  timelineVersion: number;
  updatedAt: string;
  /** Number of exams on the timeline (removed ones not counted). */
  examCount: number;
  currentBaseline: { examId: string; date: string | null; episodeId: string; line: number } | null;
  /** The most recent follow-up with a response, if any. */
  latestResponse: (TimelineSummaryResponse & { examId: string; date: string | null }) | null;
  pending: { ordered: number; unreported: number };
  problems: { unmatched: number; ambiguous: number };
  radiation: {
    ionizingExamCount: number;
    /** Sums over the exams that state a dose; null when none does. */
    totalDlpMgyCm: number | null;
    totalEffectiveDoseMsv: number | null;
  } | null;
  exams: TimelineSummaryExam[];
}
