/**
 * Generated pathways of one patient for property tests: exams with or without an order, a study
 * and reports (preliminary then final), sometimes sharing accession numbers, with purposes
 * (planning included), two conditions (so several episodes and their treatment tracks), and
 * corrections: revoked orders, entered-in-error and deleted studies and reports.
 */
import type { DiagnosticReport, ImagingStudy, ServiceRequest } from '@medplum/fhirtypes';
import fc from 'fast-check';
import {
  imagingOrder,
  imagingReport,
  imagingStudy,
  nextVersion,
  personaDeleteEvent,
  personaEvent,
  personaPatient,
  type PersonaEvent,
  type PurposeCode,
} from './timeline.fixtures.ts';

const patient = personaPatient('PB-0001');
/** The patient of every generated pathway. */
export const generatedPatientKey = patient.key;
const key = generatedPatientKey;

const REMOVALS = [
  'none',
  'order-revoked',
  'study-entered-in-error',
  'report-entered-in-error',
  'study-deleted',
  'report-deleted',
] as const;

const AMENDMENTS = ['none', 'study-date', 'order-procedure', 'study-description'] as const;

interface ExamSpec {
  day: number;
  hasOrder: boolean;
  hasStudy: boolean;
  reports: number;
  accession: number | null;
  studyIssuer: boolean;
  studyBasedOn: boolean;
  reportLink: 'study' | 'uid' | 'accession' | 'order';
  purpose: PurposeCode | null;
  modality: 'CT' | 'MR' | 'PT';
  bodyPart: 'CHEST' | 'HEAD' | 'CHEST ABDOMEN PELVIS';
  condition: 'c1' | 'c2' | null;
  orderCompleted: boolean;
  preliminaryFirst: boolean;
  removal: (typeof REMOVALS)[number];
  /** A later version that changes content, not only status: what a correction at the RIS sends. */
  amendment: (typeof AMENDMENTS)[number];
}

const examSpec: fc.Arbitrary<ExamSpec> = fc.record({
  day: fc.integer({ min: 0, max: 400 }),
  hasOrder: fc.boolean(),
  hasStudy: fc.boolean(),
  reports: fc.integer({ min: 0, max: 2 }),
  // A handful of accession numbers, so that exams sometimes share one (ambiguity) or have none.
  accession: fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }),
  studyIssuer: fc.boolean(),
  studyBasedOn: fc.boolean(),
  reportLink: fc.constantFrom('study', 'uid', 'accession', 'order'),
  purpose: fc.option(
    fc.constantFrom<PurposeCode>('baseline', 'planning', 'response', 'surveillance', 'staging', 'guidance'),
    { nil: null },
  ),
  modality: fc.constantFrom('CT', 'MR', 'PT'),
  bodyPart: fc.constantFrom('CHEST', 'HEAD', 'CHEST ABDOMEN PELVIS'),
  condition: fc.option(fc.constantFrom('c1', 'c2'), { nil: null }),
  orderCompleted: fc.boolean(),
  preliminaryFirst: fc.boolean(),
  removal: fc.constantFrom(...REMOVALS),
  amendment: fc.constantFrom(...AMENDMENTS),
});

function at(day: number, hour: number): string {
  return new Date(Date.UTC(2024, 0, 1 + day, hour)).toISOString();
}

/** Every event of one generated exam, in the order its systems would send them. */
function examEvents(spec: ExamSpec, index: number): PersonaEvent[] {
  const id = `x${index}`;
  const accession = spec.accession === null ? undefined : `A${spec.accession}`;
  const events: PersonaEvent[] = [];
  let order: ServiceRequest | undefined;
  let study: ImagingStudy | undefined;
  const reports: DiagnosticReport[] = [];
  if (spec.hasOrder || (!spec.hasStudy && spec.reports === 0)) {
    order = imagingOrder({
      id: `${id}-order`,
      patient,
      procedure: { text: `${spec.modality} ${spec.bodyPart}` },
      authoredOn: at(spec.day, 8),
      ...(accession ? { accession } : {}),
      placerNumber: `P-${id}`,
      ...(spec.purpose ? { purpose: spec.purpose } : {}),
      ...(spec.condition ? { condition: spec.condition } : {}),
    });
    events.push(personaEvent(order, { patientKey: key }));
  }
  if (spec.hasStudy) {
    study = imagingStudy({
      id: `${id}-study`,
      patient,
      uid: `2.25.4242${index}`,
      started: at(spec.day, 10),
      ...(accession
        ? {
            accession,
            accessionIssuer: spec.studyIssuer ? 'https://ris.oncoimg.example.org/fhir/sid/accession' : null,
          }
        : {}),
      ...(spec.studyBasedOn && order ? { basedOn: { order: `${id}-order` } } : {}),
      series: [{ uid: `2.25.4343${index}`, modality: spec.modality, bodyPart: { display: spec.bodyPart } }],
    });
    events.push(personaEvent(study, { patientKey: key }));
  }
  if (order && spec.orderCompleted) {
    order = nextVersion(order, at(spec.day, 11), { status: 'completed' });
    events.push(personaEvent(order, { patientKey: key }));
  }
  for (let r = 0; r < spec.reports; r += 1) {
    const link =
      spec.reportLink === 'study' && study
        ? { imagingStudy: { study: `${id}-study` } }
        : spec.reportLink === 'uid' && study
          ? { imagingStudy: { uid: `2.25.4242${index}` } }
          : spec.reportLink === 'order' && order
            ? { basedOn: { order: `${id}-order` } }
            : accession
              ? { accession }
              : {};
    const first = imagingReport({
      id: `${id}-report${r}`,
      patient,
      status: spec.preliminaryFirst ? 'preliminary' : 'final',
      code: { text: `${spec.modality} ${spec.bodyPart}` },
      effective: at(spec.day, 10),
      issued: at(spec.day, 12 + r),
      ...link,
    });
    events.push(personaEvent(first, { patientKey: key }));
    const latest = spec.preliminaryFirst
      ? nextVersion(first, at(spec.day, 18 + r), { status: 'final' })
      : first;
    if (latest !== first) {
      events.push(personaEvent(latest, { patientKey: key }));
    }
    reports.push(latest);
  }
  const later = at(spec.day + 1, 9);
  if (spec.amendment === 'order-procedure' && order) {
    order = nextVersion(order, at(spec.day, 13), { code: { text: `PT WHOLE BODY for ${id}` } });
    events.push(personaEvent(order, { patientKey: key }));
  }
  if (spec.amendment === 'study-date' && study) {
    study = nextVersion(study, at(spec.day, 14), { started: at(spec.day + 3, 10) });
    events.push(personaEvent(study, { patientKey: key }));
  }
  if (spec.amendment === 'study-description' && study) {
    study = nextVersion(study, at(spec.day, 14), { description: `MR HEAD corrected ${id}` });
    events.push(personaEvent(study, { patientKey: key }));
  }
  if (spec.removal === 'order-revoked' && order) {
    events.push(personaEvent(nextVersion(order, later, { status: 'revoked' }), { patientKey: key }));
  }
  if (spec.removal === 'study-entered-in-error' && study) {
    events.push(personaEvent(nextVersion(study, later, { status: 'entered-in-error' }), { patientKey: key }));
  }
  if (spec.removal === 'study-deleted' && study) {
    events.push(personaDeleteEvent(study, { patientKey: key, time: later }));
  }
  const lastReport = reports.at(-1);
  if (spec.removal === 'report-entered-in-error' && lastReport) {
    events.push(
      personaEvent(nextVersion(lastReport, later, { status: 'entered-in-error' }), { patientKey: key }),
    );
  }
  if (spec.removal === 'report-deleted' && lastReport) {
    events.push(personaDeleteEvent(lastReport, { patientKey: key, time: later }));
  }
  return events;
}

/** A delivery of the same events: any order, with some events delivered again. */
export function deliveries(events: readonly PersonaEvent[]): fc.Arbitrary<PersonaEvent[]> {
  const duplicates = fc.array(fc.constantFrom(...events), { maxLength: Math.min(8, events.length) });
  return duplicates.chain((extra) => {
    const all = [...events, ...extra];
    return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
  });
}

/** The events of one to six generated exams, in the order their systems send them. */
export const pathway = fc
  .array(examSpec, { minLength: 1, maxLength: 6 })
  .map((specs) => specs.flatMap(examEvents));
