import type { DiagnosticReport, ImagingStudy } from '@medplum/fhirtypes';
import { hasHappened, type ExamStatus } from '../exam/exam-status.ts';
import type { ModalityFamily } from '../exam/modality.ts';
import { ionizingOf } from './ionizing.ts';
import { examDose } from './radiation-dose.ts';
import type { RadiationExam, RadiationSummary } from './radiation.types.ts';

/** What the radiation module needs to know about an exam. */
export interface RadiationExamInput {
  examId: string;
  status: ExamStatus;
  modality: ModalityFamily | null;
  modalityCodes: readonly string[];
  study: { ref: string; resource: ImagingStudy } | null;
  reports: readonly { ref: string; resource: DiagnosticReport }[];
}

function sumOf(values: readonly (number | null)[], decimals: number): number | null {
  const given = values.filter((v): v is number => v !== null);
  if (given.length === 0) {
    return null;
  }
  const factor = 10 ** decimals;
  return Math.round(given.reduce((sum, v) => sum + v, 0) * factor) / factor;
}

/**
 * A patient's radiation summary. Every exam is marked ionizing or not from its modality (see
 * `ionizingOf`); exams that happened (performed or reported, planning scans included: they
 * irradiate too) are counted; doses are summed where the exams record them (see `examDose`).
 * An exam only ordered is marked but not counted.
 */
export function summarizeRadiation(exams: readonly RadiationExamInput[]): RadiationSummary {
  const notRead: RadiationSummary['notRead'] = [];
  const marked: RadiationExam[] = exams.map((exam) => {
    const { ionizing, basis } = ionizingOf(exam.modalityCodes, exam.modality);
    const counted = hasHappened(exam.status);
    const dose = counted ? examDose({ study: exam.study, reports: exam.reports }) : null;
    if (dose) {
      notRead.push(...dose.notRead);
    }
    return {
      examId: exam.examId,
      ionizing,
      basis,
      counted,
      dlpMgyCm: dose?.dlpMgyCm ?? null,
      effectiveDoseMsv: dose?.effectiveDoseMsv ?? null,
      doseSources: dose?.sources ?? [],
    };
  });
  const counted = marked.filter((exam) => exam.counted);
  return {
    ionizingExamCount: counted.filter((exam) => exam.ionizing === true).length,
    nonIonizingExamCount: counted.filter((exam) => exam.ionizing === false).length,
    unknownExamCount: counted.filter((exam) => exam.ionizing === null).length,
    totalDlpMgyCm: sumOf(
      counted.map((exam) => exam.dlpMgyCm),
      2,
    ),
    totalEffectiveDoseMsv: sumOf(
      counted.map((exam) => exam.effectiveDoseMsv),
      3,
    ),
    examsWithDlpCount: counted.filter((exam) => exam.dlpMgyCm !== null).length,
    examsWithEffectiveDoseCount: counted.filter((exam) => exam.effectiveDoseMsv !== null).length,
    exams: marked,
    notRead,
  };
}
