import type { IonizingBasis } from './ionizing.ts';

/** Something that looked like a dose and was not used, and why. */
export interface DoseNotRead {
  source: string;
  reason: string;
}

/** One exam's exposure. */
export interface RadiationExam {
  examId: string;
  ionizing: boolean | null;
  basis: IonizingBasis;
  /** The exam happened (performed or reported): only then is it counted. */
  counted: boolean;
  /** CT dose-length product, mGy·cm; null when none is given. */
  dlpMgyCm: number | null;
  /** Effective dose, mSv; null when none is given. */
  effectiveDoseMsv: number | null;
  /** The Observations the doses were read from. */
  doseSources: string[];
}

/**
 * A patient's exposure to ionizing radiation from imaging: how many exams, and the dose the
 * reports and studies record. Totals are sums over the exams that give one, so a total with
 * fewer `examsWithDlpCount` than `ionizingExamCount` is a lower bound.
 */
export interface RadiationSummary {
  ionizingExamCount: number;
  nonIonizingExamCount: number;
  /** Exams that happened and whose modality is unknown. */
  unknownExamCount: number;
  totalDlpMgyCm: number | null;
  totalEffectiveDoseMsv: number | null;
  examsWithDlpCount: number;
  examsWithEffectiveDoseCount: number;
  /** Every exam of the timeline, in timeline order. */
  exams: RadiationExam[];
  notRead: DoseNotRead[];
}
