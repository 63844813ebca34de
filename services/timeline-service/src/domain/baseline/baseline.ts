import type { BodyRegion } from '../exam/body-region.ts';
import { areComparable } from '../exam/comparability.ts';
import { daysBetween } from '../exam/exam-date.ts';
import type { ModalityFamily } from '../exam/modality.ts';
import { isDiagnosticPurpose } from '../exam/purpose.ts';
import type { ImagingPurpose } from '../exam/purpose-code-system.ts';
import type { TimelineWarning } from '../timeline-warning.ts';
import { DEFAULT_BASELINE_WINDOW_DAYS, baselineWarnings, onePerTrack } from './baseline-track.ts';

/**
 * The design brief's three rules, per comparable track, in order: the latest exam of the track
 * ordered with purpose `baseline` before treatment starts; else the latest diagnostic exam of the
 * track before the first planning scan or treatment start; else the earliest diagnostic exam of
 * the track (with a warning).
 */
export const BASELINE_RULES = ['ordered-baseline', 'last-before-treatment', 'earliest-diagnostic'] as const;
export type BaselineRule = (typeof BASELINE_RULES)[number];

export const EXAM_ROLES = ['baseline', 'follow-up', 'planning', 'other'] as const;
export type ExamRole = (typeof EXAM_ROLES)[number];

export interface BaselineExamInput {
  examId: string;
  date: string | null;
  purpose: ImagingPurpose;
  /** Performed or reported: an exam that is only ordered takes no part yet. */
  happened: boolean;
  modality: ModalityFamily | null;
  bodyRegion: readonly BodyRegion[];
  episodeId: string;
}

/** The baseline of one comparable track (modality family and body region) in a treatment line. */
export interface BaselineTrack {
  baselineExamId: string;
  baselineDate: string | null;
  rule: BaselineRule;
  modality: ModalityFamily | null;
  bodyRegion: BodyRegion[];
  followUpExamIds: string[];
  warnings: TimelineWarning[];
}

/** One line of treatment of an episode: its baselines (one per track), when treatment started, its follow-ups. */
export interface TreatmentLine {
  episodeId: string;
  /** 1 for the first line; a later exam ordered as `baseline` opens the next. */
  line: number;
  /** The line's main baseline: the latest ordered one, else the latest before treatment, else the earliest. */
  baselineExamId: string | null;
  baselineDate: string | null;
  rule: BaselineRule | null;
  /** The exam that marks treatment start: the first planning scan or response exam of the line. */
  treatmentStartExamId: string | null;
  treatmentStartDate: string | null;
  /** Follow-ups of every track of the line. */
  followUpExamIds: string[];
  /** Each comparable track: a chest CT track and a brain MR track can run at once. */
  tracks: BaselineTrack[];
}

export interface ExamBaselineRole {
  role: ExamRole;
  isBaseline: boolean;
  baselineRule: BaselineRule | null;
  /** The line of treatment (1, 2…) this exam is the baseline or a follow-up of. */
  treatmentLine: number | null;
  /** The baseline this exam follows up. */
  followUpOf: string | null;
  /** 0 for a baseline; whole calendar days since the baseline for a follow-up; null otherwise. */
  daysSinceBaseline: number | null;
  /**
   * What a person must check before trusting this exam's role (an old baseline, one after
   * treatment start: e.g. `baseline-older-than-window`).
   */
  warnings: TimelineWarning[];
}

export interface BaselineOptions {
  /** A baseline more than this many days before treatment start carries a warning (RECIST: 4 weeks). */
  baselineWindowDays?: number;
}

interface Segment {
  candidates: BaselineExamInput[];
  treatmentStart: BaselineExamInput | null;
}

// Treatment start is not reported by imaging systems. Its first sign on the timeline is the first
// radiotherapy planning scan, or the first exam ordered to assess response (treatment is under way).
function marksTreatmentStart(exam: BaselineExamInput): boolean {
  return exam.purpose === 'planning' || exam.purpose === 'response';
}

function segmentsOf(eligible: readonly BaselineExamInput[]): Segment[] {
  const segments: Segment[] = [{ candidates: [], treatmentStart: null }];
  for (const exam of eligible) {
    const current = segments[segments.length - 1];
    if (exam.purpose === 'baseline') {
      if (current.treatmentStart) {
        segments.push({ candidates: [exam], treatmentStart: null });
      } else {
        current.candidates.push(exam);
      }
    } else if (marksTreatmentStart(exam) && !current.treatmentStart) {
      current.treatmentStart = exam;
    }
  }
  return segments;
}

interface Chosen {
  exam: BaselineExamInput;
  rule: BaselineRule;
}

// The first line's baselines: per track, the latest diagnostic exam before treatment start; a
// track first imaged after it (or with no treatment start at all) takes its earliest exam.
function firstLineBaselines(
  eligible: readonly BaselineExamInput[],
  position: ReadonlyMap<BaselineExamInput, number>,
  segment: Segment,
  nextLineStart: BaselineExamInput | undefined,
): Chosen[] {
  const at = (exam: BaselineExamInput): number => position.get(exam) ?? -1;
  // Never reach into the next line: its baseline is its own.
  const end = nextLineStart ? at(nextLineStart) : eligible.length;
  const diagnostic = eligible.filter((exam) => isDiagnosticPurpose(exam.purpose) && at(exam) < end);
  // Without a treatment start nothing is known to be "before treatment": every track takes its earliest.
  const start = segment.treatmentStart ? at(segment.treatmentStart) : -1;
  const before: Chosen[] = onePerTrack(
    diagnostic.filter((exam) => at(exam) < start),
    true,
  ).map((exam) => ({ exam, rule: 'last-before-treatment' }));
  const later = diagnostic.filter(
    (exam) => at(exam) >= start && !before.some((c) => areComparable(c.exam, exam)),
  );
  const earliest: Chosen[] = onePerTrack(later, false).map((exam) => ({ exam, rule: 'earliest-diagnostic' }));
  return [...before, ...earliest];
}

// The main baseline of a line, as one baseline per episode used to be chosen.
function mainOf(chosen: readonly Chosen[]): Chosen | undefined {
  const ordered = chosen.filter((c) => c.rule !== 'earliest-diagnostic');
  return ordered.at(-1) ?? chosen.at(0);
}

const OTHER_ROLE = (exam: BaselineExamInput): ExamBaselineRole => ({
  role: exam.purpose === 'planning' ? 'planning' : 'other',
  isBaseline: false,
  baselineRule: null,
  treatmentLine: null,
  followUpOf: null,
  daysSinceBaseline: null,
  warnings: [],
});

/**
 * Chooses the baselines of every line of treatment of every episode, one per comparable track,
 * and marks follow-ups: later diagnostic exams (not planning, not guidance) of the same episode,
 * each following the latest baseline before it of a comparable kind (same modality family,
 * overlapping region), with the days since it. A planning scan is never a baseline, a follow-up
 * or a comparison point. `exams` must be in timeline order.
 */
export function chooseBaselines(
  exams: readonly BaselineExamInput[],
  { baselineWindowDays = DEFAULT_BASELINE_WINDOW_DAYS }: BaselineOptions = {},
): {
  lines: TreatmentLine[];
  roles: Map<string, ExamBaselineRole>;
} {
  const roles = new Map<string, ExamBaselineRole>(exams.map((exam) => [exam.examId, OTHER_ROLE(exam)]));
  const episodes = [...new Set(exams.map((exam) => exam.episodeId))];
  const lines: TreatmentLine[] = [];
  for (const episodeId of episodes) {
    const eligible = exams.filter(
      (exam) => exam.episodeId === episodeId && exam.happened && exam.date !== null,
    );
    const position = new Map(eligible.map((exam, index) => [exam, index]));
    const segments = segmentsOf(eligible);
    const chosen: { exam: BaselineExamInput; line: TreatmentLine; track: BaselineTrack }[] = [];
    segments.forEach((segment, index) => {
      const baselines: Chosen[] =
        segment.candidates.length > 0
          ? onePerTrack(segment.candidates, true).map((exam) => ({ exam, rule: 'ordered-baseline' }))
          : index === 0
            ? firstLineBaselines(eligible, position, segment, segments[1]?.candidates[0])
            : [];
      if (baselines.length === 0 && !segment.treatmentStart) {
        return;
      }
      const main =
        segment.candidates.length > 0
          ? baselines.find((c) => c.exam === segment.candidates.at(-1))
          : mainOf(baselines);
      const line: TreatmentLine = {
        episodeId,
        line: lines.filter((l) => l.episodeId === episodeId).length + 1,
        baselineExamId: main?.exam.examId ?? null,
        baselineDate: main?.exam.date ?? null,
        rule: main?.rule ?? null,
        treatmentStartExamId: segment.treatmentStart?.examId ?? null,
        treatmentStartDate: segment.treatmentStart?.date ?? null,
        followUpExamIds: [],
        tracks: [],
      };
      lines.push(line);
      for (const baseline of baselines) {
        const warnings = baselineWarnings(baseline.exam, segment.treatmentStart, {
          windowDays: baselineWindowDays,
          fallback: baseline.rule === 'earliest-diagnostic',
        });
        const track: BaselineTrack = {
          baselineExamId: baseline.exam.examId,
          baselineDate: baseline.exam.date,
          rule: baseline.rule,
          modality: baseline.exam.modality,
          bodyRegion: [...baseline.exam.bodyRegion],
          followUpExamIds: [],
          warnings,
        };
        line.tracks.push(track);
        chosen.push({ exam: baseline.exam, line, track });
        roles.set(baseline.exam.examId, {
          role: 'baseline',
          isBaseline: true,
          baselineRule: baseline.rule,
          treatmentLine: line.line,
          followUpOf: null,
          daysSinceBaseline: 0,
          warnings,
        });
      }
    });
    chosen.sort((a, b) => (position.get(a.exam) ?? -1) - (position.get(b.exam) ?? -1));
    const chosenIds = new Set(chosen.map((c) => c.exam.examId));
    for (const [index, exam] of eligible.entries()) {
      if (chosenIds.has(exam.examId) || !isDiagnosticPurpose(exam.purpose)) {
        continue;
      }
      const latest = chosen
        .filter((c) => (position.get(c.exam) ?? -1) < index && areComparable(c.exam, exam))
        .at(-1);
      if (!latest) {
        continue;
      }
      latest.line.followUpExamIds.push(exam.examId);
      latest.track.followUpExamIds.push(exam.examId);
      roles.set(exam.examId, {
        role: 'follow-up',
        isBaseline: false,
        baselineRule: null,
        treatmentLine: latest.line.line,
        followUpOf: latest.exam.examId,
        daysSinceBaseline: daysBetween(latest.exam.date ?? '', exam.date ?? ''),
        warnings: [],
      });
    }
  }
  return { lines, roles };
}
