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
import { randomUUID } from 'node:crypto';
import { buildCloudEventHeaders } from './cloudevents.ts';
import type {
  DiseaseStatus,
  ResponseCategory,
  ResponseMethod,
  ResponseWords,
} from './response-vocabulary.ts';

/** Bumped on any incompatible change of `TimelineSummaryEvent`. */
export const TIMELINE_EVENT_SCHEMA_VERSION = 1;

export const TIMELINE_EVENT_TYPE = 'imaging.timeline.updated';
export const TIMELINE_EVENT_CONTENT_TYPE = 'application/json';

export interface TimelineEventHeadersOptions {
  patientKey: string;
  /** `ce_source`: the publishing service. */
  source: string;
  /** `ce_time`, RFC 3339: when the timeline changed. */
  time: string;
  id?: string;
}

/** The binary-mode CloudEvents headers of one `imaging.timeline.v1` message. */
export function buildTimelineEventHeaders({
  patientKey,
  source,
  time,
  id = randomUUID(),
}: TimelineEventHeadersOptions): Record<string, string> {
  return buildCloudEventHeaders({
    specversion: '1.0',
    id,
    source,
    type: TIMELINE_EVENT_TYPE,
    subject: patientKey,
    time,
    datacontenttype: TIMELINE_EVENT_CONTENT_TYPE,
  });
}

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

/**
 * A follow-up's response against its treatment line's baseline. Always derived by this system,
 * never read from a clinician: `label` says so, and the Observation is `status: preliminary`.
 */
export interface TimelineSummaryResponse {
  /** `recist-1.1` from tumour measurements, `conclusion-code` from the report's disease-status code. */
  method: ResponseMethod;
  label: string;
  /** RECIST category; null when the response comes from a conclusion code or nothing was assessable. */
  category: ResponseCategory | null;
  words: ResponseWords;
  /** mCODE condition status trend, in words (SNOMED CT codes are in the draft Observation). */
  diseaseStatus: DiseaseStatus | null;
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

/**
 * Something a person must check before trusting an exam's role (a baseline older than the window,
 * dated after treatment start…), on the exam it is shown on. `code` is stable; `message` says
 * the same in plain words.
 */
export interface TimelineSummaryWarning {
  examId: string;
  /** `baseline-older-than-window`, `baseline-after-treatment-start`, `baseline-fallback-earliest`. */
  code: string;
  message: string;
}

/**
 * The best overall response of a treatment line (RECIST 1.1 section 4.4): CR and PR count only once
 * a later assessment at least `confirmationDays` on confirms them, else as SD. The timeline domain
 * derives it; the summary event carries it.
 */
export interface BestOverallResponse {
  /** Null before any assessment. An unconfirmed CR or PR counts as SD. */
  category: ResponseCategory | null;
  confirmed: boolean;
  /** The assessment that gave it. */
  examId: string | null;
  /** The later assessment that confirms a CR or PR. */
  confirmedBy: string | null;
  confirmationDays: number;
  reason: string;
}

/** The best overall response of the current treatment line, with the baseline of that line. */
export interface TimelineSummaryBestResponse extends BestOverallResponse {
  baselineExamId: string;
  line: number;
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
  /** Of the current baseline's line; null when that baseline has no RECIST measurements. */
  bestOverallResponse: TimelineSummaryBestResponse | null;
  /** Every exam's warnings; empty when there is nothing to check. */
  warnings: TimelineSummaryWarning[];
  pending: { ordered: number; unreported: number };
  problems: { unmatched: number; ambiguous: number };
  radiation: {
    ionizingExamCount: number;
    /** Sums over the exams that state a dose; null when none does. */
    totalDlpMgyCm: number | null;
    totalEffectiveDoseMsv: number | null;
  } | null;
  exams: TimelineSummaryExam[];
  /**
   * The response assessments that this version made, changed or withdrew, as mCODE
   * CancerDiseaseStatus Observations (the same resources `GET /fhir/Observation` on the timeline
   * service answers). Empty when the change touched no response; absent from events written before
   * it existed. The subscription service's `imaging-response` topic is fed from it.
   */
  responseChanges?: TimelineResponseChange[];
}

/** One response assessment made, changed or withdrawn by a timeline version. */
export interface TimelineResponseChange {
  change: 'created' | 'updated' | 'deleted';
  /** Stable for the same patient and exam, so an update replaces what a receiver stored. */
  observationId: string;
  examId: string;
  /** The Observation as it now stands; null when `change` is `deleted`. */
  observation: Observation | null;
}
