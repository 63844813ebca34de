/**
 * Exams and scenarios that give follow-ups a CancerDiseaseStatus Observation: the RECIST cases of
 * the issue (CR, PR, SD, PD, NE, non-CR/non-PD) and the conclusion-code path, each built as the FHIR
 * resources the services store and run through the whole timeline build.
 */
import type { DiagnosticReport, ImagingStudy, Observation, ServiceRequest } from '@medplum/fhirtypes';
import {
  RecistScenarioCases,
  imagingOrder,
  imagingReport,
  imagingStudy,
  personaEvents,
  personaPatient,
  timelineFrom,
  tumourSize,
  withConclusionCode,
  withContained,
  type PersonaPatient,
  type PurposeCode,
} from '../timeline.fixtures.ts';

// Digits for a DICOM UID, unique per exam key.
const digits = (key: string): string => Array.from(key, (c) => String(c.charCodeAt(0))).join('');

/** One chest CT exam (order, study, report) built from the persona builders. */
export function chestCt(
  patient: PersonaPatient,
  key: string,
  options: {
    date: string;
    purpose: PurposeCode;
    condition: string;
    lesionMm?: number[];
    conclusion?: { code: string; display: string };
  },
): (ServiceRequest | ImagingStudy | DiagnosticReport)[] {
  const accession = `ACC-${key}`;
  const order = imagingOrder({
    id: `${key}-order`,
    patient,
    procedure: { text: 'CT Chest' },
    authoredOn: options.date,
    accession,
    purpose: options.purpose,
    condition: options.condition,
  });
  const study = imagingStudy({
    id: `${key}-study`,
    patient,
    uid: `2.25.1${digits(key)}`,
    started: options.date,
    accession,
    series: [{ uid: `2.25.2${digits(key)}`, modality: 'CT', bodyPart: { display: 'CHEST' } }],
  });
  let report = imagingReport({
    id: `${key}-report`,
    patient,
    status: 'final',
    code: { text: 'CT Chest' },
    effective: options.date,
    issued: options.date,
    imagingStudy: { study: `${key}-study` },
  });
  if (options.lesionMm) {
    report = withContained(
      report,
      options.lesionMm.flatMap((mm, index) =>
        tumourSize({
          id: `${key}-m${String(index)}`,
          patient,
          lesion: { trackingId: `${options.condition}-T${String(index)}`, onObservation: true },
          longest: { value: mm, unit: 'mm' },
        }),
      ),
    );
  }
  if (options.conclusion) {
    report = withConclusionCode(report, options.conclusion.code, options.conclusion.display);
  }
  return [order, study, report];
}

/** A Observation of the timeline with what it was derived on. */
export interface DiseaseStatusCase {
  name: string;
  patientKey: string;
  examId: string;
  observation: Observation;
}

/** The five disease-status conclusion codes a report may state instead of measurements. */
export const CONCLUSION_CODES = [
  { code: '268910001', display: "Patient's condition improved" },
  { code: '359746009', display: "Patient's condition stable" },
  { code: '271299001', display: "Patient's condition worsened" },
  { code: '709137006', display: 'Patient condition undetermined' },
  { code: '260415000', display: 'Not detected' },
] as const;

function casesOf(
  name: string,
  patientKey: string,
  timeline: ReturnType<typeof timelineFrom>,
): DiseaseStatusCase[] {
  return timeline.exams.flatMap((exam) => {
    const observation = exam.response?.diseaseStatusObservation;
    return observation
      ? [
          {
            name: `${name} ${exam.examId} ${exam.response?.category ?? exam.response?.method ?? ''}`,
            patientKey,
            examId: exam.examId,
            observation,
          },
        ]
      : [];
  });
}

/** Every follow-up Observation of the RECIST scenarios, then one per conclusion code. */
export function diseaseStatusCases(): DiseaseStatusCase[] {
  const recist = Object.entries(RecistScenarioCases).flatMap(([name, scenario]) =>
    casesOf(name, scenario.patient.key, timelineFrom(scenario.patient.key, scenario.events)),
  );
  const coded = CONCLUSION_CODES.flatMap(({ code, display }) => {
    const patient = personaPatient(`CC-${code}`);
    const resources = [
      ...chestCt(patient, 'base', { date: '2024-01-10', purpose: 'baseline', condition: 'c1' }),
      ...chestCt(patient, 'fu', {
        date: '2024-04-10',
        purpose: 'response',
        condition: 'c1',
        conclusion: { code, display },
      }),
    ];
    return casesOf(
      `conclusion ${code}`,
      patient.key,
      timelineFrom(patient.key, personaEvents(resources, patient.key)),
    );
  });
  return [...recist, ...coded];
}
