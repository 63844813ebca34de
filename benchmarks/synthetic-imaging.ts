/**
 * Varied, made-up imaging pathways for the benchmarks: many patients, each with a baseline exam
 * and follow-ups (order, study, report), across modalities and body regions. Built with the typed
 * persona builders of @oncoimg/testing, so the resources are the ones the tests trust as realistic.
 */
import type { DiagnosticReport, ImagingStudy, ServiceRequest } from '@medplum/fhirtypes';
import { buildImagingEvent, encodeEvent, type ImagingResource } from '@oncoimg/fhir-events';
import type { OutgoingMessage } from '@oncoimg/kafka';
import {
  imagingOrder,
  imagingReport,
  imagingStudy,
  personaPatient,
  type PersonaPatient,
  type PurposeCode,
} from '@oncoimg/testing';

interface Procedure {
  text: string;
  loinc: string;
  series: { modality: string; bodyPart: { snomed: string; display: string }; instances: number }[];
}

const CHEST = { snomed: '51185008', display: 'Thoracic structure' };
const CAP = { snomed: '416775004', display: 'Chest, Abdomen and Pelvis' };
const WHOLE_BODY = { snomed: '38266002', display: 'Entire body' };
const BRAIN = { snomed: '12738006', display: 'Brain' };
const LIVER = { snomed: '10200004', display: 'Liver structure' };

/** Oncology imaging a cancer centre orders most: CT first, then PET-CT, MR, US and plain film. */
const PROCEDURES: readonly Procedure[] = [
  { text: 'CT Chest', loinc: '24627-2', series: [{ modality: 'CT', bodyPart: CHEST, instances: 240 }] },
  {
    text: 'CT Chest and Abdomen and Pelvis W contrast IV',
    loinc: '36267-3',
    series: [{ modality: 'CT', bodyPart: CAP, instances: 620 }],
  },
  {
    text: 'PET-CT whole body FDG',
    loinc: '44136-0',
    series: [
      { modality: 'PT', bodyPart: WHOLE_BODY, instances: 300 },
      { modality: 'CT', bodyPart: WHOLE_BODY, instances: 300 },
    ],
  },
  {
    text: 'MR Brain W and WO contrast IV',
    loinc: '24590-2',
    series: [{ modality: 'MR', bodyPart: BRAIN, instances: 180 }],
  },
  { text: 'US Liver', loinc: '30704-1', series: [{ modality: 'US', bodyPart: LIVER, instances: 24 }] },
  { text: 'XR Chest 2 Views', loinc: '36643-5', series: [{ modality: 'DX', bodyPart: CHEST, instances: 2 }] },
];

const CONCLUSIONS = [
  'Target lesions decreased in size. Partial response.',
  'No significant change in target lesions. Stable disease.',
  'New hepatic lesion. Progressive disease.',
  'Complete resolution of target lesions.',
  'Baseline measurements recorded for target lesions.',
];

const DAY_MS = 86_400_000;
const START = Date.UTC(2025, 0, 6, 8, 0, 0);

/** Names of one benchmark run: every patient, accession and UID differs between runs. */
export interface SyntheticRun {
  /** Short random tag (digits), part of every identifier. */
  tag: string;
}

export function newSyntheticRun(): SyntheticRun {
  return { tag: String(100_000 + Math.floor(Math.random() * 899_999)) };
}

export function syntheticPatient(run: SyntheticRun, index: number): PersonaPatient {
  return personaPatient(`BENCH${run.tag}-${String(index)}`);
}

export interface SyntheticExam {
  patient: PersonaPatient;
  order: ServiceRequest;
  study: ImagingStudy;
  report: DiagnosticReport;
}

/**
 * Exam `examIndex` of patient `patientIndex`: the first is the baseline, later ones are response
 * assessments about three months apart, mostly of the same procedure (so they compare).
 */
export function syntheticExam(run: SyntheticRun, patientIndex: number, examIndex: number): SyntheticExam {
  const patient = syntheticPatient(run, patientIndex);
  const procedure = PROCEDURES[(patientIndex + (examIndex % 3 === 2 ? 1 : 0)) % PROCEDURES.length];
  const ordered = START + (patientIndex % 365) * DAY_MS + examIndex * 91 * DAY_MS;
  const performed = ordered + 2 * DAY_MS + (patientIndex % 7) * 3_600_000;
  const reported = performed + DAY_MS;
  const iso = (ms: number) => new Date(ms).toISOString();
  const name = `${run.tag}-${String(patientIndex)}-${String(examIndex)}`;
  const accession = `ACC${name}`;
  const uid = `1.2.826.0.1.3680043.10.${run.tag}.${String(patientIndex + 1)}.${String(examIndex + 1)}`;
  const purpose: PurposeCode = examIndex === 0 ? 'baseline' : 'response';
  const order = imagingOrder({
    id: `sr-${name}`,
    patient,
    procedure,
    authoredOn: iso(ordered),
    occurrence: iso(performed),
    accession,
    placerNumber: `PL${name}`,
    purpose,
    reason: examIndex === 0 ? 'Staging of newly diagnosed carcinoma' : 'Response assessment on treatment',
    bodySite: procedure.series[0].bodyPart,
  });
  const study = imagingStudy({
    id: `is-${name}`,
    patient,
    uid,
    started: iso(performed),
    accession,
    basedOn: {
      identifier: { system: 'https://ehr.oncoimg.example.org/fhir/sid/placer-order', value: `PL${name}` },
    },
    description: procedure.text,
    series: procedure.series.map((s, index) => ({
      uid: `${uid}.${String(index + 1)}`,
      modality: s.modality,
      description: procedure.text,
      bodyPart: s.bodyPart,
      instances: s.instances,
    })),
  });
  const report = imagingReport({
    id: `dr-${name}`,
    patient,
    status: 'final',
    code: procedure,
    effective: iso(performed),
    issued: iso(reported),
    imagingStudy: { uid },
    accession,
    conclusion: CONCLUSIONS[(patientIndex + examIndex) % CONCLUSIONS.length],
  });
  return { patient, order, study, report };
}

/** An order as a client POSTs it: the server assigns id and meta. */
export function asNewResource<T extends ImagingResource>(resource: T): T {
  const { id: _id, meta: _meta, ...rest } = resource;
  return rest as T;
}

/** `count` orders for different patients and accessions, cycling through the procedures. */
export function syntheticOrders(run: SyntheticRun, count: number, firstPatient = 0): ServiceRequest[] {
  return Array.from({ length: count }, (_, i) =>
    asNewResource(syntheticExam(run, firstPatient + i, i % 4).order),
  );
}

/** One intake event, encoded as the intake services publish it. */
export interface SyntheticEvent {
  role: 'serviceRequest' | 'imagingStudy' | 'diagnosticReport';
  message: OutgoingMessage;
  /** Kafka key: the patient key. */
  key: string;
  at: number;
}

const SOURCES = {
  serviceRequest: 'oncoimg/order-service',
  imagingStudy: 'oncoimg/study-service',
  diagnosticReport: 'oncoimg/report-service',
} as const;

export function encodeSynthetic(
  role: SyntheticEvent['role'],
  resource: ImagingResource,
  at: number,
): SyntheticEvent {
  const event = buildImagingEvent({ resource, action: 'created', source: SOURCES[role] });
  return { role, message: encodeEvent(event), key: event.key, at };
}

/** The three events of one exam, stamped with when each happened. */
export function examEvents(exam: SyntheticExam): SyntheticEvent[] {
  return [
    encodeSynthetic('serviceRequest', exam.order, Date.parse(exam.order.authoredOn ?? '')),
    encodeSynthetic('imagingStudy', exam.study, Date.parse(exam.study.started ?? '')),
    encodeSynthetic('diagnosticReport', exam.report, Date.parse(exam.report.issued ?? '')),
  ];
}

/**
 * About `total` events (whole exams) for patients with `examsPerPatient` exams each, yielded in
 * blocks of `blockPatients` patients. Within a block the events are in the order they happened,
 * so patients interleave as they do in a live feed; blocks keep memory flat for a million events.
 */
export function* syntheticEventBlocks(
  run: SyntheticRun,
  {
    total,
    examsPerPatient = 4,
    blockPatients = 500,
  }: { total: number; examsPerPatient?: number; blockPatients?: number },
): Generator<SyntheticEvent[]> {
  const patients = Math.ceil(total / (3 * examsPerPatient));
  let emitted = 0;
  for (let first = 0; first < patients && emitted < total; first += blockPatients) {
    const block: SyntheticEvent[] = [];
    for (let p = first; p < Math.min(patients, first + blockPatients); p++) {
      for (let e = 0; e < examsPerPatient; e++) {
        block.push(...examEvents(syntheticExam(run, p, e)));
      }
    }
    block.sort((a, b) => a.at - b.at);
    const wanted = block.slice(0, total - emitted);
    emitted += wanted.length;
    yield wanted;
  }
}

/** Patients `syntheticEventBlocks` spreads `total` events over. */
export function syntheticPatientCount(total: number, examsPerPatient = 4): number {
  return Math.ceil(total / (3 * examsPerPatient));
}
