import type {
  BodyStructure,
  DiagnosticReport,
  Identifier,
  ImagingStudy,
  Observation,
  ServiceRequest,
} from '@medplum/fhirtypes';
import { personaEvents, type PersonaEvent } from './events.ts';
import {
  imagingOrder,
  imagingReport,
  imagingStudy,
  personaPatient,
  type PersonaPatient,
  type PurposeCode,
} from './imaging-builders.ts';
import { DICOM_DCM, SNOMED } from './systems.ts';
import { PERSONA_TUMOUR_ASSESSMENT_SYSTEM, tumourSize, withContained } from './tumour-findings.ts';

/**
 * The cases of the issue "Clinically safe baselines and complete RECIST 1.1", as the FHIR
 * resources the order, study and report services store: each scenario is a patient and the
 * resources of its exams, in the order the systems send them. The timeline's unit tests fold them
 * into a timeline; an end-to-end test can post the same resources. All data is made up.
 */
export interface RecistScenario {
  patient: PersonaPatient;
  resources: (ServiceRequest | ImagingStudy | DiagnosticReport)[];
  events: PersonaEvent[];
}

/** The non-target tumour states (CDISC terms) of the tumour-assessment CodeSystem. */
export type NonTargetStateCode = 'present' | 'absent' | 'unequivocal-progression' | 'not-evaluable';

type Finding = Observation | BodyStructure;

export interface ScenarioExamOptions {
  /** Short id, unique in the scenario: `b`, `f1`… */
  id: string;
  day: number;
  modality?: 'CT' | 'MR';
  bodyPart?: 'CHEST' | 'HEAD';
  purpose?: PurposeCode;
  reason?: string;
  /** An RT object series (RTSTRUCT…) in the study: a planning scan. */
  rt?: 'RTSTRUCT' | 'RTPLAN' | 'RTDOSE' | 'RTIMAGE';
  /** What the report contains (tumour sizes, non-target and new-lesion statements). */
  findings?: Finding[];
}

const day0 = Date.UTC(2025, 0, 6);
const at = (day: number, hour: number): string =>
  new Date(day0 + day * 86_400_000 + hour * 3_600_000).toISOString();

/** An order, its study and its final report, linked by accession number and references. */
export function scenarioExam(
  patient: PersonaPatient,
  { id, day, modality = 'CT', bodyPart = 'CHEST', purpose, reason, rt, findings = [] }: ScenarioExamOptions,
): (ServiceRequest | ImagingStudy | DiagnosticReport)[] {
  const mrn = patient.identifier.value;
  const accession = `${mrn}-${id}`;
  const text = `${modality} ${bodyPart === 'HEAD' ? 'Brain' : 'Chest'}`;
  const uid = `2.25.${Array.from(`${mrn}${id}`, (c) => c.charCodeAt(0)).join('')}`;
  const order = imagingOrder({
    id: `${mrn}-${id}`.toLowerCase(),
    patient,
    procedure: { text },
    authoredOn: at(day, 8),
    accession,
    ...(purpose ? { purpose } : {}),
    ...(reason ? { reason } : {}),
  });
  const study = imagingStudy({
    id: `${mrn}-${id}-study`.toLowerCase(),
    patient,
    uid,
    started: at(day, 10),
    accession,
    basedOn: { order: order.id ?? '' },
    series: [
      { uid: `${uid}.1`, modality, bodyPart: { display: bodyPart } },
      ...(rt ? [{ uid: `${uid}.2`, modality: rt }] : []),
    ],
  });
  const report = withContained(
    imagingReport({
      id: `${mrn}-${id}-report`.toLowerCase(),
      patient,
      status: 'final',
      code: { text },
      effective: at(day, 10),
      issued: at(day, 14),
      imagingStudy: { study: study.id ?? '' },
      accession,
    }),
    findings,
  );
  return [order, study, report];
}

/** A lesion measured by longest diameter (or, for a node, short axis), identified by a tracking id. */
export function lesion(
  patient: PersonaPatient,
  exam: string,
  name: string,
  mm: number,
  options: { node?: 'short-axis' | 'long-axis-only'; organ?: string; newLesion?: boolean } = {},
): Finding[] {
  const organ = options.organ ?? name;
  const longAxisOnly = options.node === 'long-axis-only';
  return tumourSize({
    id: `${exam}-${name}`,
    patient,
    // A node's own value is read as its short axis: a long axis alone needs the mCODE component.
    ...(longAxisOnly ? { shape: 'mcode' as const } : {}),
    lesion: {
      trackingId: name,
      onObservation: !longAxisOnly,
      bodySite: { snomed: organSnomed(organ), display: organ },
    },
    ...(options.node === 'short-axis'
      ? { shortAxis: { value: mm, unit: 'mm' } }
      : { longest: { value: mm, unit: 'mm' } }),
    node: options.node !== undefined,
    newLesion: options.newLesion ?? false,
  });
}

function organSnomed(organ: string): string {
  return (
    { lung: '39607008', liver: '10200004', node: '59441001', adrenal: '23451007', bone: '272673000' }[
      organ
    ] ?? '123037004'
  );
}

/** Adds `tumour-assessment#<code>` to the category of the measurements (e.g. `target-lesion`). */
export function marked(
  findings: readonly Finding[],
  code: 'target-lesion' | 'non-target-lesion' | 'too-small-to-measure' | 'new-lesion-equivocal',
): Finding[] {
  return findings.map((f) =>
    f.resourceType === 'Observation'
      ? {
          ...f,
          interpretation: [
            ...(f.interpretation ?? []),
            { coding: [{ system: PERSONA_TUMOUR_ASSESSMENT_SYSTEM, code }] },
          ],
        }
      : f,
  );
}

// The DICOM Tracking Identifier (112039) a lesion is followed by, on the Observation itself.
const trackingId = (name: string): Identifier => ({
  type: { coding: [{ system: DICOM_DCM, code: '112039', display: 'Tracking Identifier' }] },
  value: name,
});

/** A non-target lesion statement: `tumour-assessment#non-target-lesion` with its state. */
export function nonTargetLesion(
  exam: string,
  name: string,
  state: NonTargetStateCode,
  organ = name,
): Observation {
  return {
    resourceType: 'Observation',
    id: `${exam}-${name}-nt`,
    status: 'final',
    code: {
      coding: [
        { system: PERSONA_TUMOUR_ASSESSMENT_SYSTEM, code: 'non-target-lesion', display: 'Non-target lesion' },
      ],
    },
    identifier: [trackingId(name)],
    bodySite: { coding: [{ system: SNOMED, code: organSnomed(organ), display: organ }] },
    valueCodeableConcept: { coding: [{ system: PERSONA_TUMOUR_ASSESSMENT_SYSTEM, code: state }] },
  };
}

/** A possible new lesion: `tumour-assessment#new-lesion-equivocal` as the Observation's code. */
export function equivocalNewLesion(exam: string, name: string): Observation {
  return {
    resourceType: 'Observation',
    id: `${exam}-${name}-eq`,
    status: 'final',
    code: { coding: [{ system: PERSONA_TUMOUR_ASSESSMENT_SYSTEM, code: 'new-lesion-equivocal' }] },
    identifier: [trackingId(name)],
    valueBoolean: true,
  };
}

/** A scenario from its exams. */
export function recistScenario(
  mrn: string,
  exams: (patient: PersonaPatient) => ScenarioExamOptions[],
): RecistScenario {
  const patient = personaPatient(mrn);
  const resources = exams(patient).flatMap((exam) => scenarioExam(patient, exam));
  return { patient, resources, events: personaEvents(resources, patient.key) };
}
