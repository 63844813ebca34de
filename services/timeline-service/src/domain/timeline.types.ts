import type { BaselineRule, ExamBaselineRole, TreatmentLine } from './baseline/baseline.ts';
import type { BodyRegion } from './exam/body-region.ts';
import type { EpisodeSource } from './records/episode.ts';
import type { ExamDateSource } from './exam/exam-date.ts';
import type { ExamStatus, RemovalReason } from './exam/exam-status.ts';
import type { AccessionNumber } from './linking/identifiers.ts';
import type { ImagingResourceType } from './records/imaging-resource.ts';
import type { AmbiguousLink, ExamLink, UnmatchedLink } from './linking/link-evidence.ts';
import type { ModalityFamily } from './exam/modality.ts';
import type { PurposeSource } from './exam/purpose.ts';
import type { ImagingPurpose } from './exam/purpose-code-system.ts';
import type { RadiationSummary } from './radiation/radiation.types.ts';
import type { ExamResponse } from './response/response.types.ts';
import type { TimelineWarning } from './timeline-warning.ts';

/** Version of the timeline JSON; bumped on any incompatible change. */
export const TIMELINE_SCHEMA_VERSION = 1;

/** One resource of an exam. */
export interface PartSummary {
  /** `ImagingStudy/abc` */
  reference: string;
  resourceType: ImagingResourceType;
  id: string;
  versionId: string | null;
  /** The resource's own FHIR status. */
  status: string;
}

/**
 * One exam on a patient's timeline: an order, its study and its reports, any of them missing, and
 * its role (baseline, follow-up…).
 */
export interface TimelineExam extends ExamBaselineRole {
  /** Stable within the timeline: the order's reference, else the study's, else the first report's. */
  examId: string;
  /** When it happened (or is planned); see `dateSource`. */
  date: string | null;
  dateSource: ExamDateSource | null;
  status: ExamStatus;
  order: PartSummary | null;
  study: PartSummary | null;
  reports: PartSummary[];
  /** Study Instance UID, without `urn:oid:`. */
  studyUid: string | null;
  accessionNumbers: AccessionNumber[];
  /** The order's procedure, else the study's or the report's description. */
  description: string | null;
  modality: ModalityFamily | null;
  /** DICOM modality codes of the study (CT, PT, RTSTRUCT…). */
  modalityCodes: string[];
  bodyRegion: BodyRegion[];
  purpose: ImagingPurpose;
  purposeSource: PurposeSource;
  purposeEvidence: string | null;
  /** A radiotherapy planning scan: not diagnostic, never baseline or follow-up, never awaiting a report. */
  planning: boolean;
  /** Diagnostic imaging: not planning, not guidance. */
  diagnostic: boolean;
  episodeId: string;
  episodeSource: EpisodeSource;
  /** The links that made this exam, each with its evidence. */
  links: ExamLink[];
  ambiguous: AmbiguousLink[];
  unmatched: UnmatchedLink[];
  /**
   * The response of a follow-up against its treatment line's baseline (RECIST 1.1, else the
   * report's disease-status conclusion code), or a baseline's own sum; absent on other exams.
   */
  response?: ExamResponse;
}

/** An episode of disease: the Condition orders name, or the patient-wide episode. */
export interface EpisodeSummary {
  episodeId: string;
  /** `Condition/123` or `Condition?identifier=system|value`; null for the patient-wide episode. */
  condition: string | null;
  examIds: string[];
  lines: TreatmentLine[];
  currentBaselineExamId: string | null;
}

/** The baseline follow-ups are compared with now. */
export interface CurrentBaseline {
  episodeId: string;
  line: number;
  examId: string;
  date: string | null;
  rule: BaselineRule;
}

/** Work still to be done. */
export interface PendingLists {
  /** Exams ordered and not yet performed. */
  ordered: string[];
  /** Diagnostic exams performed without a final report (planning scans never wait for one). */
  unreported: string[];
}

export interface RemovedPart extends PartSummary {
  reason: RemovalReason;
}

/** Parts taken off the timeline (entered-in-error, cancelled, deleted), kept as history. */
export interface RemovedExam {
  /** Same rule as a live exam's id, among the removed parts. */
  examId: string;
  reason: RemovalReason;
  parts: RemovedPart[];
  /** Live exams these parts belonged to or shared a key with (a removed report of a live study). */
  relatedExamIds: string[];
  date: string | null;
  description: string | null;
  modality: ModalityFamily | null;
  bodyRegion: BodyRegion[];
  purpose: ImagingPurpose;
  studyUid: string | null;
  accessionNumbers: AccessionNumber[];
}

/** A problem a person should look at, with the exam it is shown on. */
export type ExamUnmatched = UnmatchedLink & { examId: string };
export type ExamAmbiguous = AmbiguousLink & { examId: string };
export type ExamWarning = TimelineWarning & { examId: string };

/** One patient's imaging timeline: the public timeline JSON. */
export interface PatientTimeline {
  schemaVersion: typeof TIMELINE_SCHEMA_VERSION;
  patientKey: string;
  /** In time order (date, then exam id); exams without any date last. */
  exams: TimelineExam[];
  episodes: EpisodeSummary[];
  /** The current baseline of the episode with the most recent exam. */
  currentBaseline: CurrentBaseline | null;
  pending: PendingLists;
  unmatched: ExamUnmatched[];
  ambiguous: ExamAmbiguous[];
  removed: RemovedExam[];
  /** Every exam's warnings, with the exam they are shown on. */
  warnings: ExamWarning[];
  /** Radiation summary: ionizing exams counted, doses summed where recorded. */
  radiation?: RadiationSummary;
}
