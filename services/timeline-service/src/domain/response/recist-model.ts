import type { BaselineNonTarget } from './non-target.ts';
import type {
  DiameterKind,
  LesionKey,
  NewLesionFinding,
  NonTargetFinding,
  NonTargetLesionEvidence,
  OverallParts,
  ResponseCategory,
  TargetLesionEvidence,
  TargetSelection,
  TumourMeasurement,
  UntrackedLesion,
} from './response.types.ts';

/**
 * RECIST 1.1, as the design brief words it, on exact values (hundredths of a millimetre, integers):
 * - PR: the sum is at least 30 % below the baseline sum.
 * - PD: the sum is at least 20 % above the nadir and at least 5 mm above it, or a new lesion.
 * - CR: every target lesion is gone; lymph nodes count as gone under 10 mm short axis.
 * - NE: a target lesion is missing at the follow-up, unless the lesions measured already make PD.
 * - SD: otherwise.
 * The nadir is the smallest sum so far in the treatment line, the baseline included.
 */
export const RECIST = {
  partialResponsePercent: 30,
  progressionPercent: 20,
  progressionMinimumMm: 5,
  normalNodeShortAxisMm: 10,
} as const;

/** A target lesion, fixed at baseline by the selection rule (or the report's own marks). */
export interface RecistTarget {
  lesionId: string;
  display: string | null;
  node: boolean;
  diameterKind: DiameterKind;
  keys: LesionKey[];
  baselineMm: number;
  baselineSource: string;
}

export interface RecistBaseline {
  examId: string;
  targets: RecistTarget[];
  sumMm: number;
  untracked: UntrackedLesion[];
  nonTargets: BaselineNonTarget[];
  selection: TargetSelection;
}

export interface RecistFindings {
  measurements: readonly TumourMeasurement[];
  newLesions: readonly NewLesionFinding[];
  nonTargets?: readonly NonTargetFinding[];
  equivocalNewLesions?: readonly NewLesionFinding[];
}

/** What an assessment knows of the line before it. */
export interface LineState {
  sumMm: number;
  examId: string;
  /** The previous overall response was CR: any lesion seen again is PD. */
  afterCompleteResponse?: boolean;
  /** Equivocal new lesions seen earlier in the line, with where they were first seen. */
  equivocal?: readonly { examId: string; finding: NewLesionFinding }[];
}

export interface RecistAssessment {
  examId: string;
  /** The overall response (RECIST 1.1 table 4 or 5). */
  category: ResponseCategory;
  reason: string;
  /** Targets, non-targets and new lesions, as combined into `category`. */
  overall: OverallParts;
  nonTargets: NonTargetLesionEvidence[];
  equivocalNewLesions: NewLesionFinding[];
  /** The exam where a now-confirmed equivocal new lesion was first seen: progression dates from it. */
  progressionSinceExamId: string | null;
  /** Null when a target is missing and that does not already make PD. */
  sumMm: number | null;
  baselineSumMm: number;
  nadirSumMm: number;
  nadirExamId: string;
  percentFromBaseline: number | null;
  percentFromNadir: number | null;
  changeFromBaselineMm: number | null;
  changeFromNadirMm: number | null;
  lesions: TargetLesionEvidence[];
  newLesions: NewLesionFinding[];
  untracked: UntrackedLesion[];
  /** Every target measured: the sum may become the nadir. */
  complete: boolean;
}
