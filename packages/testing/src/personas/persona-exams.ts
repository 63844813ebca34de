import type { DiagnosticReport, ImagingStudy, ServiceRequest } from '@medplum/fhirtypes';
import type { BodyPart, Procedure, PurposeCode, SeriesOptions } from '@oncoimg/fhir-builders';
import { imagingOrder, imagingReport, imagingStudy, type PersonaPatient } from './imaging-builders.ts';
import { PERSONA_PLACER_SYSTEM } from './systems.ts';

/**
 * How a report finds its exam: the study by literal id or by Study Instance UID, the accession
 * alone, or the order by its placer number.
 */
export type ReportLink = 'study' | 'study-uid' | 'accession' | 'placer';

/** One exam of a persona's pathway, as a row: the order, what the PACS sent, what the RIS reported. */
export interface ExamRow {
  /** Ids are `${id}-order`, `${id}-study` and `${id}-report`. */
  id: string;
  procedure: Procedure;
  ordered: string;
  accession?: string;
  accessionIssuer?: string | null;
  placerNumber?: string;
  purpose?: PurposeCode;
  reason?: string;
  occurrence?: string;
  bodySite?: BodyPart;
  /** Not yet performed when absent. */
  study?: {
    /** Series without a UID of their own replace its final `01` with `02`, `03`, …. */
    uid: string;
    started: string;
    description?: string;
    /** The study names its order (`basedOn`) instead of carrying an accession. */
    basedOnOrder?: boolean;
    series: readonly SeriesOptions[];
  };
  /** Not reported when absent; the report's date is the study's and its code the order's. */
  report?: {
    issued: string;
    link: ReportLink;
    status?: DiagnosticReport['status'];
    conclusion?: string;
  };
}

export interface PersonaExam {
  order: ServiceRequest;
  study?: ImagingStudy;
  report?: DiagnosticReport;
}

/** Builds one exam row for a persona; `condition` is the episode every order is for. */
export function personaExam(
  patient: PersonaPatient,
  condition: string | undefined,
  row: ExamRow,
): PersonaExam {
  const { id, procedure, study, report } = row;
  const order = imagingOrder({
    id: `${id}-order`,
    patient,
    procedure,
    authoredOn: row.ordered,
    ...(row.occurrence ? { occurrence: row.occurrence } : {}),
    ...(row.accession ? { accession: row.accession } : {}),
    ...(row.accessionIssuer !== undefined ? { accessionIssuer: row.accessionIssuer } : {}),
    ...(row.placerNumber ? { placerNumber: row.placerNumber } : {}),
    ...(row.purpose ? { purpose: row.purpose } : {}),
    ...(row.reason ? { reason: row.reason } : {}),
    ...(condition ? { condition } : {}),
    ...(row.bodySite ? { bodySite: row.bodySite } : {}),
  });
  if (!study) {
    return { order };
  }
  const seriesUid = (index: number): string =>
    `${study.uid.slice(0, -2)}${String(index + 2).padStart(2, '0')}`;
  const built: PersonaExam = {
    order,
    study: imagingStudy({
      id: `${id}-study`,
      patient,
      uid: study.uid,
      started: study.started,
      ...(study.basedOnOrder ? { basedOn: { order: order.id ?? '' } } : {}),
      ...(row.accession ? { accession: row.accession } : {}),
      ...(study.description ? { description: study.description } : {}),
      series: study.series.map((series, index) => ({ uid: seriesUid(index), ...series })),
    }),
  };
  if (!report) {
    return built;
  }
  const link = {
    study: { imagingStudy: { study: `${id}-study` } },
    'study-uid': { imagingStudy: { uid: study.uid } },
    accession: { accession: row.accession ?? '' },
    placer: { basedOn: { identifier: { system: PERSONA_PLACER_SYSTEM, value: row.placerNumber ?? '' } } },
  }[report.link];
  return {
    ...built,
    report: imagingReport({
      id: `${id}-report`,
      patient,
      status: report.status ?? 'final',
      code: procedure,
      effective: study.started,
      issued: report.issued,
      ...link,
      ...(report.conclusion ? { conclusion: report.conclusion } : {}),
    }),
  };
}

/** Builds every row of a table, keeping its keys. */
export function personaExams<K extends string>(
  patient: PersonaPatient,
  condition: string | undefined,
  rows: Record<K, ExamRow>,
): Record<K, PersonaExam> {
  const entries = Object.entries<ExamRow>(rows).map(([key, row]) => [
    key,
    personaExam(patient, condition, row),
  ]);
  return Object.fromEntries(entries) as Record<K, PersonaExam>;
}

/** The study of an exam row that has one. */
export function studyOf(exam: PersonaExam): ImagingStudy {
  if (!exam.study) {
    throw new Error(`exam ${exam.order.id ?? ''} has no study`);
  }
  return exam.study;
}

/** The report of an exam row that has one. */
export function reportOf(exam: PersonaExam): DiagnosticReport {
  if (!exam.report) {
    throw new Error(`exam ${exam.order.id ?? ''} has no report`);
  }
  return exam.report;
}
