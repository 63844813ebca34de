/**
 * Test support for the baseline tests: whole exams (order, study, report) of one patient, and each
 * exam's role and days since baseline.
 */
import {
  imagingOrder,
  imagingReport,
  imagingStudy,
  personaEvents,
  personaPatient,
  timelineFrom,
  type PersonaResource,
  type PurposeCode,
} from '../timeline.fixtures.ts';

export const patient = personaPatient('BL-0001');
let uid = 0;

export interface ExamSpec {
  id: string;
  date: string;
  modality?: string;
  bodyPart?: string;
  purpose?: PurposeCode;
  reason?: string;
  condition?: string;
  performed?: boolean;
  series?: string[];
}

/** One exam: an order, and unless `performed: false` its study and final report. */
export function exam({
  id,
  date,
  modality = 'CT',
  bodyPart = 'CHEST',
  purpose,
  reason,
  condition,
  performed = true,
  series = [],
}: ExamSpec): PersonaResource[] {
  const order = imagingOrder({
    id,
    patient,
    procedure: { text: `${modality} ${bodyPart}` },
    authoredOn: `${date}T08:00:00Z`,
    accession: `ACC-${id}`,
    ...(purpose ? { purpose } : {}),
    ...(reason ? { reason } : {}),
    ...(condition ? { condition } : {}),
  });
  if (!performed) {
    return [order];
  }
  uid += 1;
  const study = imagingStudy({
    id: `${id}-study`,
    patient,
    uid: `2.25.7${uid}`,
    started: `${date}T10:00:00Z`,
    accession: `ACC-${id}`,
    series: [modality, ...series].map((m, i) => ({
      uid: `2.25.7${uid}.${i}`,
      modality: m,
      bodyPart: { display: bodyPart },
    })),
  });
  const report = imagingReport({
    id: `${id}-report`,
    patient,
    status: 'final',
    code: { text: `${modality} ${bodyPart}` },
    effective: `${date}T10:00:00Z`,
    issued: `${date}T15:00:00Z`,
    imagingStudy: { study: `${id}-study` },
  });
  return purpose === 'planning' || series.includes('RTSTRUCT') ? [order, study] : [order, study, report];
}

export const timelineOf = (...exams: PersonaResource[][]) =>
  timelineFrom(patient.key, personaEvents(exams.flat(), patient.key));
export const roles = (timeline: ReturnType<typeof timelineOf>) =>
  timeline.exams.map((e) => [e.examId.replace('ServiceRequest/', ''), e.role, e.daysSinceBaseline] as const);
