import type { BodyRegion } from '../exam/body-region.ts';
import { areComparable } from '../exam/comparability.ts';
import { daysBetween } from '../exam/exam-date.ts';
import type { ModalityFamily } from '../exam/modality.ts';
import { isDiagnosticPurpose } from '../exam/purpose.ts';
import type { ImagingPurpose } from '../exam/purpose-code-system.ts';

/**
 * The design brief's three rules, in order: the latest exam ordered with purpose `baseline` before
 * treatment starts; else the latest diagnostic exam before the first planning scan or treatment
 * start; else the earliest diagnostic exam of the episode.
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

/** One line of treatment of an episode: its baseline, when treatment started, its follow-ups. */
export interface TreatmentLine {
  episodeId: string;
  /** 1 for the first line; a later exam ordered as `baseline` opens the next. */
  line: number;
  baselineExamId: string | null;
  baselineDate: string | null;
  rule: BaselineRule | null;
  /** The exam that marks treatment start: the first planning scan or response exam of the line. */
  treatmentStartExamId: string | null;
  treatmentStartDate: string | null;
  followUpExamIds: string[];
}

export interface ExamBaselineRole {
  role: ExamRole;
  isBaseline: boolean;
  baselineRule: BaselineRule | null;
  treatmentLine: number | null;
  followUpOf: string | null;
  daysSinceBaseline: number | null;
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
      if (current.treatmentStart) segments.push({ candidates: [exam], treatmentStart: null });
      else current.candidates.push(exam);
    } else if (marksTreatmentStart(exam) && !current.treatmentStart) {
      current.treatmentStart = exam;
    }
  }
  return segments;
}

function firstLineBaseline(
  eligible: readonly BaselineExamInput[],
  position: ReadonlyMap<BaselineExamInput, number>,
  segment: Segment,
  nextLineStart: BaselineExamInput | undefined,
): { exam: BaselineExamInput; rule: BaselineRule } | null {
  const diagnostic = eligible.filter((exam) => isDiagnosticPurpose(exam.purpose));
  const at = (exam: BaselineExamInput): number => position.get(exam) ?? -1;
  if (segment.treatmentStart) {
    const start = at(segment.treatmentStart);
    const before = diagnostic.filter((exam) => at(exam) < start).at(-1);
    if (before) return { exam: before, rule: 'last-before-treatment' };
  }
  // Never reach into the next line: its baseline is its own.
  const end = nextLineStart ? at(nextLineStart) : eligible.length;
  const earliest = diagnostic.find((exam) => at(exam) < end);
  return earliest ? { exam: earliest, rule: 'earliest-diagnostic' } : null;
}

/**
 * Chooses the baseline of every line of treatment of every episode and marks follow-ups: later
 * diagnostic exams (not planning, not guidance) of the same episode, comparable to the latest
 * baseline before them (same modality family, overlapping region), with the days since it.
 * `exams` must be in timeline order.
 */
export function chooseBaselines(exams: readonly BaselineExamInput[]): {
  lines: TreatmentLine[];
  roles: Map<string, ExamBaselineRole>;
} {
  const roles = new Map<string, ExamBaselineRole>();
  for (const exam of exams) {
    roles.set(exam.examId, {
      role: exam.purpose === 'planning' ? 'planning' : 'other',
      isBaseline: false,
      baselineRule: null,
      treatmentLine: null,
      followUpOf: null,
      daysSinceBaseline: null,
    });
  }
  const episodes = [...new Set(exams.map((exam) => exam.episodeId))];
  const lines: TreatmentLine[] = [];
  for (const episodeId of episodes) {
    const eligible = exams.filter(
      (exam) => exam.episodeId === episodeId && exam.happened && exam.date !== null,
    );
    const position = new Map(eligible.map((exam, index) => [exam, index]));
    const segments = segmentsOf(eligible);
    const chosen: { exam: BaselineExamInput; line: TreatmentLine }[] = [];
    segments.forEach((segment, index) => {
      const fromOrder = segment.candidates.at(-1);
      const baseline = fromOrder
        ? { exam: fromOrder, rule: 'ordered-baseline' as const }
        : index === 0
          ? firstLineBaseline(eligible, position, segment, segments[1]?.candidates[0])
          : null;
      if (!baseline && !segment.treatmentStart) return;
      const line: TreatmentLine = {
        episodeId,
        line: lines.filter((l) => l.episodeId === episodeId).length + 1,
        baselineExamId: baseline?.exam.examId ?? null,
        baselineDate: baseline?.exam.date ?? null,
        rule: baseline?.rule ?? null,
        treatmentStartExamId: segment.treatmentStart?.examId ?? null,
        treatmentStartDate: segment.treatmentStart?.date ?? null,
        followUpExamIds: [],
      };
      lines.push(line);
      if (baseline) {
        chosen.push({ exam: baseline.exam, line });
        roles.set(baseline.exam.examId, {
          role: 'baseline',
          isBaseline: true,
          baselineRule: baseline.rule,
          treatmentLine: line.line,
          followUpOf: null,
          daysSinceBaseline: 0,
        });
      }
    });
    const chosenIds = new Set(chosen.map((c) => c.exam.examId));
    for (const [index, exam] of eligible.entries()) {
      if (chosenIds.has(exam.examId) || !isDiagnosticPurpose(exam.purpose)) continue;
      const latest = chosen.filter((c) => (position.get(c.exam) ?? -1) < index).at(-1);
      if (!latest || !areComparable(latest.exam, exam)) continue;
      latest.line.followUpExamIds.push(exam.examId);
      roles.set(exam.examId, {
        role: 'follow-up',
        isBaseline: false,
        baselineRule: null,
        treatmentLine: latest.line.line,
        followUpOf: latest.exam.examId,
        daysSinceBaseline: daysBetween(latest.exam.date ?? '', exam.date ?? ''),
      });
    }
  }
  return { lines, roles };
}
