import type { ModalityFamily } from '../exam/modality.ts';
import { instantOf } from '../exam/exam-date.ts';
import type { ExamStatus } from '../exam/exam-status.ts';
import type { AccessionNumber } from '../linking/identifiers.ts';
import type { ImagingPurpose } from '../exam/purpose-code-system.ts';
import type { PatientTimeline } from '../timeline.types.ts';

export interface UnreportedWorklistOptions {
  /** The moment the worklist is for (the caller's clock). */
  now: Date | number;
  /** How long after the exam a final report is overdue. */
  olderThanMs: number;
}

/** One performed exam still waiting for its final report. */
export interface UnreportedItem {
  patientKey: string;
  examId: string;
  studyUid: string | null;
  accessionNumbers: AccessionNumber[];
  date: string | null;
  /** How long it has waited; null when the exam has no readable date (listed, never hidden). */
  waitingMs: number | null;
  status: ExamStatus;
  modality: ModalityFamily | null;
  purpose: ImagingPurpose;
  description: string | null;
}

/**
 * Performed exams with no final or amended report for longer than `olderThanMs`, oldest first.
 * Planning scans never wait for a report and are left out. An exam without a readable date is
 * listed, because nothing shows it is recent.
 */
export function unreportedWorklist(
  timelines: Iterable<PatientTimeline>,
  { now, olderThanMs }: UnreportedWorklistOptions,
): UnreportedItem[] {
  const nowMs = typeof now === 'number' ? now : now.getTime();
  const items: UnreportedItem[] = [];
  for (const timeline of timelines) {
    for (const exam of timeline.exams) {
      if (exam.planning || (exam.status !== 'performed' && exam.status !== 'preliminary')) {
        continue;
      }
      const instant = instantOf(exam.date ?? undefined);
      const waitingMs = instant === null ? null : nowMs - instant;
      if (waitingMs !== null && waitingMs < olderThanMs) {
        continue;
      }
      items.push({
        patientKey: timeline.patientKey,
        examId: exam.examId,
        studyUid: exam.studyUid,
        accessionNumbers: exam.accessionNumbers,
        date: exam.date,
        waitingMs,
        status: exam.status,
        modality: exam.modality,
        purpose: exam.purpose,
        description: exam.description,
      });
    }
  }
  const waited = (item: UnreportedItem): number => item.waitingMs ?? Number.POSITIVE_INFINITY;
  return items.sort(
    (a, b) =>
      waited(b) - waited(a) ||
      (a.patientKey < b.patientKey ? -1 : a.patientKey > b.patientKey ? 1 : 0) ||
      (a.examId < b.examId ? -1 : a.examId > b.examId ? 1 : 0),
  );
}
