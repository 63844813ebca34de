import type { BodyRegion } from '../exam/body-region.ts';
import { areComparable } from '../exam/comparability.ts';
import { daysBetween } from '../exam/exam-date.ts';
import type { ModalityFamily } from '../exam/modality.ts';
import type { TimelineWarning } from '../timeline-warning.ts';

/** RECIST 1.1: baseline imaging "as close as possible to the treatment start and never more than 4 weeks before". */
export const DEFAULT_BASELINE_WINDOW_DAYS = 28;

export interface TrackExam {
  examId: string;
  date: string | null;
  modality: ModalityFamily | null;
  bodyRegion: readonly BodyRegion[];
}

/**
 * One exam per comparable track (same modality family, overlapping region): the latest of each
 * when `latest`, else the earliest. An exam of unknown kind is a track of its own.
 */
export function onePerTrack<T extends TrackExam>(exams: readonly T[], latest: boolean): T[] {
  const chosen: T[] = [];
  for (const exam of latest ? [...exams].reverse() : exams) {
    if (!chosen.some((other) => areComparable(other, exam))) {
      chosen.push(exam);
    }
  }
  return latest ? chosen.reverse() : chosen;
}

/**
 * The warnings a baseline carries: dated after treatment start, or older than the window before
 * it; or, with no treatment start on the timeline, chosen only as the earliest exam of its track.
 */
export function baselineWarnings(
  baseline: TrackExam,
  treatmentStart: TrackExam | null,
  { windowDays, fallback }: { windowDays: number; fallback: boolean },
): TimelineWarning[] {
  const warnings: TimelineWarning[] = [];
  if (fallback && !treatmentStart) {
    warnings.push({
      code: 'baseline-fallback-earliest',
      message:
        'No treatment start on the timeline (no planning scan or response exam, no baseline order): the earliest exam of this track is used as the baseline.',
    });
  }
  const days = baseline.date && treatmentStart?.date ? daysBetween(baseline.date, treatmentStart.date) : null;
  if (days === null) {
    return warnings;
  }
  if (days < 0) {
    warnings.push({
      code: 'baseline-after-treatment-start',
      message: `This baseline is dated ${-days} day(s) after treatment started (${treatmentStart?.date ?? ''}): it may already show treatment effect.`,
    });
  } else if (days > windowDays) {
    warnings.push({
      code: 'baseline-older-than-window',
      message: `This baseline is ${days} days before treatment start (${treatmentStart?.date ?? ''}), more than the ${windowDays} days RECIST 1.1 allows: the disease may have changed since.`,
    });
  }
  return warnings;
}
