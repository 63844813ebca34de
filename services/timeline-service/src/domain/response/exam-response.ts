import type { DiagnosticReport } from '@medplum/fhirtypes';
import { bestOverallResponse, type ResponseOptions } from './best-response.ts';
import { cancerDiseaseStatus, type MeasurementEvidence } from './cancer-disease-status.ts';
import { STATUS_OF_CATEGORY, WORDS_OF_CATEGORY, WORDS_OF_STATUS } from './disease-status.ts';
import { assessTreatmentLine, recistBaseline, type RecistAssessment, type RecistBaseline } from './recist.ts';
import { readReportFindings, type ReportFindings } from './report-findings.ts';
import { rankReports } from './report-rank.ts';
import {
  DERIVED_RESPONSE_LABEL,
  type ExamResponse,
  type ResponseCategory,
  type ResponseEvidence,
  type TargetLesionEvidence,
} from './response.types.ts';

/** What the response module needs to know about an exam (in timeline order). */
export interface ResponseExamInput {
  patientKey: string;
  examId: string;
  /** `ImagingStudy/abc`, when the exam has its study. */
  studyRef: string | null;
  date: string | null;
  episodeId: string;
  isBaseline: boolean;
  /** The baseline this exam follows up; null when it is not a follow-up. */
  followUpOf: string | null;
  treatmentLine: number | null;
  /** Its live reports. */
  reports: readonly { ref: string; resource: DiagnosticReport }[];
}

const CATEGORY_NAMES: Readonly<Record<ResponseCategory, string>> = {
  CR: 'complete response',
  PR: 'partial response',
  SD: 'stable disease',
  PD: 'progressive disease',
  NE: 'not evaluable',
  'non-CR/non-PD': 'non-target disease neither gone nor progressed',
};

function rankedFindings(exam: ResponseExamInput): ReportFindings[] {
  return rankReports(exam.reports).map(({ ref, resource }) => readReportFindings(ref, resource));
}

function hasTumourFindings(findings: ReportFindings): boolean {
  return (
    findings.measurements.length > 0 ||
    findings.newLesions.length > 0 ||
    findings.nonTargets.length > 0 ||
    findings.equivocalNewLesions.length > 0
  );
}

// A baseline can be followed when it has targets with a sum, or non-target disease only (table 5).
function followable(candidate: RecistBaseline | null): RecistBaseline | null {
  if (!candidate) {
    return null;
  }
  if (candidate.targets.length > 0) {
    return candidate.sumMm > 0 ? candidate : null;
  }
  return candidate.nonTargets.length > 0 ? candidate : null;
}

function emptyEvidence(reports: readonly ReportFindings[]): ResponseEvidence {
  return {
    reports: reports.map((r) => r.report),
    lesions: [],
    nonTargets: [],
    newLesions: [],
    equivocalNewLesions: [],
    untracked: [],
    targetSelection: null,
    overall: null,
    progressionSince: null,
    confirmedBy: null,
    conclusionCode: null,
    notRead: reports.flatMap((r) => r.notRead),
  };
}

interface Context {
  exam: ResponseExamInput;
  baselineExamId: string;
  findings: ReportFindings[];
}

/** What every response of an exam carries, before its method is known. */
type ResponseBase = Omit<ExamResponse, 'method' | 'reason' | 'words'>;

function base(context: Context, kind: ExamResponse['kind']): ResponseBase {
  return {
    kind,
    label: DERIVED_RESPONSE_LABEL,
    baselineExamId: context.baselineExamId,
    treatmentLine: context.exam.treatmentLine,
    category: null,
    diseaseStatus: null,
    sumOfDiametersMm: null,
    baselineSumMm: null,
    nadirSumMm: null,
    nadirExamId: null,
    percentFromBaseline: null,
    percentFromNadir: null,
    changeFromBaselineMm: null,
    changeFromNadirMm: null,
    evidence: emptyEvidence(context.findings),
    diseaseStatusObservation: null,
  };
}

/** A response without a method: `reason` says why nothing could be assessed. */
function notAssessed(response: ResponseBase, reason: string): ExamResponse {
  return { ...response, method: 'none', words: 'not assessed', reason };
}

function subjectOf(exam: ResponseExamInput, reportRef: string | undefined): DiagnosticReport['subject'] {
  return exam.reports.find((r) => r.ref === reportRef)?.resource.subject;
}

/** The target measurements a RECIST response compared: each lesion at baseline, then now. */
function measurementsOf(
  lesions: readonly TargetLesionEvidence[],
  dates: { baseline: string | null; followUp: string | null },
): MeasurementEvidence[] {
  return lesions.flatMap((lesion, index) => {
    const name = `Target lesion ${String(index + 1)}${lesion.display ? ` (${lesion.display})` : ''}`;
    const baseline = {
      source: lesion.baselineSource,
      label: `${name}, baseline`,
      mm: lesion.baselineMm,
      date: dates.baseline,
    };
    return lesion.currentMm !== null && lesion.currentSource
      ? [
          baseline,
          {
            source: lesion.currentSource,
            label: `${name}, follow-up`,
            mm: lesion.currentMm,
            date: dates.followUp,
          },
        ]
      : [baseline];
  });
}

function baselineResponse(
  context: Context,
  candidate: RecistBaseline | null,
  used: ReportFindings | undefined,
): ExamResponse {
  const response = base(context, 'baseline');
  const baseline = followable(candidate);
  if (!baseline || !used) {
    const reason =
      context.exam.reports.length === 0
        ? 'Baseline without a report yet: follow-ups cannot be measured against it.'
        : candidate
          ? `Baseline measurements that cannot be followed (${candidate.targets.length === 0 ? 'no lesion is identified' : 'sum of diameters 0 mm'}): follow-ups fall back to their reports' disease-status codes.`
          : "Baseline report without tumour measurements: follow-ups fall back to their reports' disease-status codes.";
    return {
      ...notAssessed(response, reason),
      evidence: candidate ? { ...response.evidence, untracked: candidate.untracked } : response.evidence,
    };
  }
  const lesions: TargetLesionEvidence[] = baseline.targets.map((t) => ({
    lesionId: t.lesionId,
    display: t.display,
    node: t.node,
    diameterKind: t.diameterKind,
    baselineMm: t.baselineMm,
    baselineSource: t.baselineSource,
    currentMm: t.baselineMm,
    currentSource: t.baselineSource,
    state: 'measured',
  }));
  return {
    ...response,
    method: 'recist-1.1',
    words: 'not assessed',
    reason: `Baseline of treatment line ${context.exam.treatmentLine ?? 1}: ${baseline.targets.length} target lesion(s), sum of diameters ${baseline.sumMm} mm; ${baseline.nonTargets.length} non-target lesion(s). ${baseline.selection.description}`,
    sumOfDiametersMm: baseline.sumMm,
    baselineSumMm: baseline.sumMm,
    nadirSumMm: baseline.sumMm,
    nadirExamId: context.exam.examId,
    evidence: {
      ...response.evidence,
      reports: [used.report],
      lesions,
      nonTargets: baseline.nonTargets.map((n) => ({
        lesionId: n.lesionId,
        display: n.display,
        node: n.node,
        why: n.why,
        baselineSource: n.baselineSource,
        baselineMm: n.baselineMm,
        state: 'present',
        currentSource: n.baselineSource,
      })),
      untracked: baseline.untracked,
      targetSelection: baseline.selection,
      notRead: used.notRead,
    },
  };
}

function recistResponse(
  context: Context,
  assessment: RecistAssessment,
  used: ReportFindings,
  line: { baseline: RecistBaseline; confirmedBy: string | null; dateOf: (examId: string) => string | null },
): ExamResponse {
  const status = STATUS_OF_CATEGORY[assessment.category];
  const reports = [used.report];
  return {
    ...base(context, 'follow-up'),
    method: 'recist-1.1',
    category: assessment.category,
    words: WORDS_OF_CATEGORY[assessment.category],
    diseaseStatus: status,
    reason: assessment.reason,
    sumOfDiametersMm: assessment.sumMm,
    baselineSumMm: assessment.baselineSumMm,
    nadirSumMm: assessment.nadirSumMm,
    nadirExamId: assessment.nadirExamId,
    percentFromBaseline: assessment.percentFromBaseline,
    percentFromNadir: assessment.percentFromNadir,
    changeFromBaselineMm: assessment.changeFromBaselineMm,
    changeFromNadirMm: assessment.changeFromNadirMm,
    evidence: {
      reports,
      lesions: assessment.lesions,
      nonTargets: assessment.nonTargets,
      newLesions: assessment.newLesions,
      equivocalNewLesions: assessment.equivocalNewLesions,
      untracked: assessment.untracked,
      targetSelection: line.baseline.selection,
      overall: assessment.overall,
      progressionSince: assessment.progressionSinceExamId
        ? { examId: assessment.progressionSinceExamId, date: line.dateOf(assessment.progressionSinceExamId) }
        : null,
      confirmedBy: line.confirmedBy,
      conclusionCode: null,
      notRead: used.notRead,
    },
    diseaseStatusObservation: cancerDiseaseStatus({
      patientKey: context.exam.patientKey,
      examId: context.exam.examId,
      status,
      method: 'recist-1.1',
      category: assessment.category,
      text: `RECIST 1.1 ${assessment.category} (${CATEGORY_NAMES[assessment.category]})`,
      reason: assessment.reason,
      subject: subjectOf(context.exam, used.report),
      episodeId: context.exam.episodeId,
      effective: context.exam.date,
      report: used.report,
      study: context.exam.studyRef,
      measurements: measurementsOf(assessment.lesions, {
        baseline: line.dateOf(context.baselineExamId),
        followUp: context.exam.date,
      }),
    }),
  };
}

function fallbackResponse(context: Context, baselineMeasured: boolean): ExamResponse {
  const response = base(context, 'follow-up');
  const stated = context.findings.find((f) => f.diseaseStatus !== null);
  if (stated?.diseaseStatus) {
    const { status, coding } = stated.diseaseStatus;
    const reason = `The report's conclusion code states the disease ${status === 'not-detected' ? 'not detected' : status} (SNOMED CT ${coding.code ?? ''}); no measurements to apply RECIST to.`;
    return {
      ...response,
      method: 'conclusion-code',
      words: WORDS_OF_STATUS[status],
      diseaseStatus: status,
      reason,
      evidence: {
        ...response.evidence,
        reports: [stated.report],
        conclusionCode: coding,
        notRead: stated.notRead,
      },
      diseaseStatusObservation: cancerDiseaseStatus({
        patientKey: context.exam.patientKey,
        examId: context.exam.examId,
        status,
        method: 'conclusion-code',
        category: null,
        text: `Reported: ${coding.display ?? status}`,
        reason,
        subject: subjectOf(context.exam, stated.report),
        episodeId: context.exam.episodeId,
        effective: context.exam.date,
        report: stated.report,
        study: context.exam.studyRef,
        measurements: [],
      }),
    };
  }
  const measured = context.findings.some(hasTumourFindings);
  return notAssessed(
    response,
    context.exam.reports.length === 0
      ? 'No report yet.'
      : measured && !baselineMeasured
        ? 'The report has measurements but the baseline has none to compare with, and no disease-status conclusion code.'
        : 'The report has neither tumour measurements nor a disease-status conclusion code.',
  );
}

/**
 * The response of every baseline and follow-up exam. Per treatment line (the follow-ups of one
 * baseline), in time order: RECIST 1.1 when the baseline report and the follow-up report carry
 * tumour measurements (or the follow-up states a new lesion); else the follow-up report's
 * disease-status `conclusionCode`; else "not assessed". A baseline shows its own sum. Exams that
 * are neither get no entry.
 */
export function assessResponses(
  exams: readonly ResponseExamInput[],
  options: ResponseOptions = {},
): Map<string, ExamResponse> {
  const responses = new Map<string, ExamResponse>();
  const byId = new Map(exams.map((exam) => [exam.examId, exam]));
  for (const baselineExam of exams.filter((exam) => exam.isBaseline)) {
    const baselineFindings = rankedFindings(baselineExam);
    const used = baselineFindings.find((f) => f.measurements.length > 0 || f.nonTargets.length > 0);
    const candidate = used ? recistBaseline(baselineExam.examId, used.measurements, used.nonTargets) : null;
    const baseline = followable(candidate);
    const baselineContext = {
      exam: baselineExam,
      baselineExamId: baselineExam.examId,
      findings: baselineFindings,
    };
    const baselineAnswer = baselineResponse(baselineContext, candidate, used);
    responses.set(baselineExam.examId, baselineAnswer);

    const followUps = exams
      .filter((exam) => exam.followUpOf === baselineExam.examId)
      .map((exam) => ({ exam, findings: rankedFindings(exam) }));
    const measured = followUps.flatMap(({ exam, findings }) => {
      const usedFindings = findings.find(hasTumourFindings);
      return baseline && usedFindings ? [{ examId: exam.examId, findings: usedFindings }] : [];
    });
    const assessed = new Map<string, { assessment: RecistAssessment; findings: ReportFindings }>();
    if (baseline) {
      assessTreatmentLine(baseline, measured).forEach((assessment, index) => {
        const { findings } = measured[index];
        assessed.set(assessment.examId, { assessment, findings });
      });
    }
    const { best, confirmations } = bestOverallResponse(
      [...assessed.values()].map(({ assessment }) => ({
        examId: assessment.examId,
        date: byId.get(assessment.examId)?.date ?? null,
        category: assessment.category,
      })),
      options,
    );
    if (baseline) {
      baselineAnswer.bestOverallResponse = best;
    }
    const dateOf = (examId: string): string | null => byId.get(examId)?.date ?? null;
    for (const { exam, findings } of followUps) {
      const context = { exam, baselineExamId: baselineExam.examId, findings };
      const recist = assessed.get(exam.examId);
      responses.set(
        exam.examId,
        recist && baseline
          ? recistResponse(context, recist.assessment, recist.findings, {
              baseline,
              confirmedBy: confirmations.get(exam.examId) ?? null,
              dateOf,
            })
          : fallbackResponse(context, baseline !== null),
      );
    }
  }
  // A follow-up always has its baseline among the exams; this guards against a caller that filtered them.
  for (const exam of exams) {
    if (exam.followUpOf && !responses.has(exam.examId) && !byId.has(exam.followUpOf)) {
      const findings = rankedFindings(exam);
      responses.set(
        exam.examId,
        fallbackResponse({ exam, baselineExamId: exam.followUpOf, findings }, false),
      );
    }
  }
  return responses;
}
