import { areComparable } from '../exam/comparability.ts';
import { instantOf } from '../exam/exam-date.ts';
import { hasHappened } from '../exam/exam-status.ts';
import { normalizeDicomUid } from '../linking/identifiers.ts';
import type { PatientTimeline, TimelineExam } from '../timeline.types.ts';

/** One prior exam a radiologist should (or may) look at. */
export interface PriorExam {
  examId: string;
  date: string | null;
  studyUid: string | null;
  description: string | null;
  modality: TimelineExam['modality'];
  bodyRegion: TimelineExam['bodyRegion'];
  purpose: TimelineExam['purpose'];
  status: TimelineExam['status'];
  /** Same modality family and overlapping region as the current study. */
  comparable: boolean;
  /** Planning and guidance images: may be reviewed, not required for comparison. */
  optional: boolean;
}

export interface PriorsResult {
  patientKey: string;
  studyUid: string;
  examId: string;
  priors: PriorExam[];
}

/**
 * The priors of a study, for the radiologist reading it: every exam of the patient that was
 * performed or reported before it (an earlier instant), across episodes. Diagnostic exams come first, comparable ones ahead of
 * the rest, each group most recent first; planning scans (and guidance images) follow, marked
 * optional. Undefined when the study is not on this timeline.
 */
export function priorsFor(studyUid: string, timeline: PatientTimeline): PriorsResult | undefined {
  const uid = normalizeDicomUid(studyUid);
  const current = timeline.exams.find((exam) => exam.studyUid === uid);
  if (!current) {
    return undefined;
  }
  const currentInstant = instantOf(current.date ?? undefined);
  const earlier = timeline.exams.filter((exam) => {
    const instant = instantOf(exam.date ?? undefined);
    return (
      exam !== current &&
      hasHappened(exam.status) &&
      instant !== null &&
      (currentInstant === null || instant < currentInstant)
    );
  });
  const rank = (exam: TimelineExam): number => (exam.diagnostic ? (areComparable(current, exam) ? 0 : 1) : 2);
  const ordered = earlier
    .map((exam, index) => ({ exam, index }))
    .sort((a, b) => rank(a.exam) - rank(b.exam) || b.index - a.index)
    .map(({ exam }) => exam);
  return {
    patientKey: timeline.patientKey,
    studyUid: uid,
    examId: current.examId,
    priors: ordered.map((exam) => ({
      examId: exam.examId,
      date: exam.date,
      studyUid: exam.studyUid,
      description: exam.description,
      modality: exam.modality,
      bodyRegion: exam.bodyRegion,
      purpose: exam.purpose,
      status: exam.status,
      comparable: areComparable(current, exam),
      optional: !exam.diagnostic,
    })),
  };
}
