/** One patient's exams as the cohort builds them: ids, dates, numbering, and the report wording. */
import type { DiagnosticReport, ImagingStudy, ServiceRequest } from '@medplum/fhirtypes';
import {
  imagingOrder,
  imagingReport,
  imagingStudy,
  type DiseaseStatus,
  type LesionMeasurement,
  type PatientRef,
  type Procedure,
  type PurposeCode,
  type SeriesOptions,
} from '@oncoimg/fhir-builders';
import type { CancerType } from './catalogue.ts';
import type { Prng } from './prng.ts';
import type { ResponsePathway } from './response-trajectory.ts';

const DAY_MS = 86_400_000;
// Patients enter the pathway over 18 months from this date.
const COHORT_START_MS = Date.UTC(2023, 0, 9);

export function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

export function describeLesions(
  lesions: readonly LesionMeasurement[],
  cancer: CancerType,
  unit: 'mm' | 'cm',
): string {
  return lesions
    .map((lesion, i) => {
      const size = unit === 'cm' ? `${(lesion.mm / 10).toFixed(1)} cm` : `${String(lesion.mm)} mm`;
      return `${cancer.lesions[i].words} ${size}`;
    })
    .join(', ');
}

export const CONCLUSION_OF: Record<ResponsePathway, { status: DiseaseStatus; words: string }> = {
  PR: { status: 'improved', words: 'Partial response' },
  SD: { status: 'stable', words: 'Stable disease' },
  PD: { status: 'worse', words: 'Progressive disease' },
};

export interface Exam {
  order?: ServiceRequest;
  study?: ImagingStudy;
  reports: DiagnosticReport[];
}

/** Everything that builds one patient's exams, sharing their ids, dates and numbering. */
export function patientBuilder(seed: number, index: number, prng: Prng, patient: PatientRef) {
  const prefix = `syn${String(seed)}-p${pad(index + 1, 3)}`;
  let examNumber = 0;
  const at = (day: number, hour: number, minute = 0): string =>
    new Date(COHORT_START_MS + day * DAY_MS + (hour * 60 + minute) * 60_000)
      .toISOString()
      .replace('.000Z', 'Z');
  const uid = (): string =>
    `2.25.${String(prng.int(1, 9))}${Array.from({ length: 29 }, () => prng.int(0, 9)).join('')}`;

  function exam(options: {
    key: string;
    day: number;
    procedure: Procedure;
    series: readonly SeriesOptions[];
    description?: string;
    purpose?: PurposeCode;
    reason?: string;
    condition: string;
    /** Null: performed, never reported (a planning scan). */
    report: null | {
      conclusion: string;
      diseaseStatus?: DiseaseStatus;
      measurements?: { lesions: readonly LesionMeasurement[]; unit: 'mm' | 'cm' };
    };
  }): Exam {
    examNumber += 1;
    const accession = `SYN${String(seed)}${pad(index + 1, 3)}${pad(examNumber, 2)}`;
    const hour = prng.int(8, 16);
    const minute = prng.pick([0, 15, 30, 45]);
    const started = at(options.day, hour, minute);
    const id = `${prefix}-${options.key}`;
    const order = imagingOrder({
      id: `${id}-order`,
      patient,
      procedure: options.procedure,
      authoredOn: at(options.day - prng.int(2, 12), prng.int(8, 17)),
      accession,
      ...(options.purpose ? { purpose: options.purpose } : {}),
      ...(options.reason ? { reason: options.reason } : {}),
      condition: options.condition,
      versionId: null,
    });
    const studyUid = uid();
    const study = imagingStudy({
      id: `${id}-study`,
      patient,
      uid: studyUid,
      started,
      accession,
      ...(options.description ? { description: options.description } : {}),
      series: options.series,
      versionId: null,
    });
    const reports = options.report
      ? [
          imagingReport({
            id: `${id}-report`,
            patient,
            status: 'final',
            code: options.procedure,
            effective: started,
            issued: at(options.day, hour + prng.int(2, 7), minute),
            // Most RIS name the study by its id; some only by Study Instance UID.
            imagingStudy: prng.chance(0.7) ? { study: study.id ?? '' } : { uid: studyUid },
            accession,
            ...options.report,
            versionId: null,
          }),
        ]
      : [];
    return { order, study, reports };
  }

  return { prefix, at, exam };
}
