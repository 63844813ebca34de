import {
  TIMELINE_EVENT_SCHEMA_VERSION,
  type TimelineResponseChange,
  type TimelineSummaryBestResponse,
  type TimelineSummaryEvent,
  type TimelineSummaryExam,
  type TimelineSummaryResponse,
} from '@oncoimg/fhir-events';
import type { PatientRecords, PatientTimeline, TimelineExam } from '../domain/index.ts';

/** The listed fields of `value`, copied: the event carries these and nothing else of it. */
function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((key) => [key, value[key]])) as Pick<T, K>;
}

function responseOf({ response }: TimelineExam): TimelineSummaryResponse | null {
  if (!response || response.kind === 'baseline') {
    return null;
  }
  return pick(response, [
    'method',
    'label',
    'category',
    'words',
    'diseaseStatus',
    'sumOfDiametersMm',
    'baselineSumMm',
    'nadirSumMm',
    'percentFromBaseline',
    'percentFromNadir',
    'changeFromBaselineMm',
    'changeFromNadirMm',
    'diseaseStatusObservation',
  ]);
}

function summaryExamOf(exam: TimelineExam): TimelineSummaryExam {
  return {
    examId: exam.examId,
    date: exam.date,
    status: exam.status,
    purpose: exam.purpose,
    modality: exam.modality,
    planning: exam.planning,
    isBaseline: exam.isBaseline,
    daysSinceBaseline: exam.daysSinceBaseline,
    orderId: exam.order?.reference ?? null,
    studyUid: exam.studyUid,
    reportIds: exam.reports.map((report) => report.reference),
    response: exam.isBaseline ? null : responseOf(exam),
  };
}

function bestOfCurrentLine(timeline: PatientTimeline): TimelineSummaryBestResponse | null {
  const current = timeline.currentBaseline;
  const best =
    current && timeline.exams.find((e) => e.examId === current.examId)?.response?.bestOverallResponse;
  if (!current || !best) {
    return null;
  }
  return {
    baselineExamId: current.examId,
    line: current.line,
    ...pick(best, ['category', 'confirmed', 'examId', 'confirmedBy', 'confirmationDays', 'reason']),
  };
}

/**
 * The value of the `imaging.timeline.v1` event for one version of a patient's timeline: what an
 * oncology system needs without fetching the timeline (baseline, latest response, the best overall
 * response of the current line, warnings, pending work).
 */
export function summarizeTimeline(
  timeline: PatientTimeline,
  {
    version,
    updatedAt,
    responseChanges = [],
  }: { version: number; updatedAt: Date; responseChanges?: readonly TimelineResponseChange[] },
): TimelineSummaryEvent {
  const exams = timeline.exams.map(summaryExamOf);
  // A conclusion code is a response too (no RECIST category); "not assessed" is not.
  const latest = exams.findLast((exam) => exam.response !== null && exam.response.method !== 'none');
  const { radiation } = timeline;
  return {
    schemaVersion: TIMELINE_EVENT_SCHEMA_VERSION,
    patientKey: timeline.patientKey,
    timelineVersion: version,
    updatedAt: updatedAt.toISOString(),
    examCount: exams.length,
    currentBaseline: timeline.currentBaseline && {
      examId: timeline.currentBaseline.examId,
      date: timeline.currentBaseline.date,
      episodeId: timeline.currentBaseline.episodeId,
      line: timeline.currentBaseline.line,
    },
    latestResponse: latest?.response
      ? { ...latest.response, examId: latest.examId, date: latest.date }
      : null,
    bestOverallResponse: bestOfCurrentLine(timeline),
    warnings: timeline.warnings.map(({ examId, code, message }) => ({ examId, code, message })),
    pending: { ordered: timeline.pending.ordered.length, unreported: timeline.pending.unreported.length },
    problems: { unmatched: timeline.unmatched.length, ambiguous: timeline.ambiguous.length },
    radiation: radiation
      ? {
          ionizingExamCount: radiation.ionizingExamCount,
          totalDlpMgyCm: radiation.totalDlpMgyCm,
          totalEffectiveDoseMsv: radiation.totalEffectiveDoseMsv,
        }
      : null,
    exams,
    responseChanges: [...responseChanges],
  };
}

/**
 * What a patient search matches: the patient key and the subject identifiers on the first line,
 * then each display name the sources gave the subject. Systems don't share a patient resource, so
 * the subject reference's `display` is the only name the timeline sees.
 */
export function searchTextOf(records: PatientRecords): string {
  const identifiers = new Set<string>([records.patientKey]);
  const names = new Set<string>();
  for (const entry of Object.values(records.entries)) {
    const subject = entry.resource.subject;
    const identifier = subject?.identifier;
    if (identifier?.value) {
      identifiers.add(identifier.value);
    }
    if (subject?.display) {
      names.add(subject.display.trim());
    }
  }
  return [[...identifiers].join(' '), ...[...names].sort()].join('\n');
}
