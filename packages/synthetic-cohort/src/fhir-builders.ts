import type {
  CodeableConcept,
  DiagnosticReport,
  Identifier,
  ImagingStudy,
  Observation,
  Patient,
  Reference,
  ServiceRequest,
} from '@medplum/fhirtypes';
import { IMAGING_PURPOSE_SYSTEM, TUMOUR_ASSESSMENT_SYSTEM } from '@oncoimg/fhir-events';

/** Identifier and code systems of the synthetic cohort. Every value under oncoimg.example.org is made up. */
export const SYNTHETIC_MRN_SYSTEM = 'https://oncoimg.example.org/fhir/sid/synthetic-mrn';
export const SYNTHETIC_ACCESSION_SYSTEM = 'https://ris.oncoimg.example.org/fhir/sid/accession';
/** The project's CodeSystems, declared by the event contract. */
export { IMAGING_PURPOSE_SYSTEM, TUMOUR_ASSESSMENT_SYSTEM };
export const LOINC = 'http://loinc.org';
export const SNOMED = 'http://snomed.info/sct';
export const DICOM_DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';
const UCUM = 'http://unitsofmeasure.org';

export type Purpose =
  'screening' | 'diagnosis' | 'staging' | 'baseline' | 'planning' | 'response' | 'surveillance' | 'guidance';

/** Disease-status codes (mCODE condition status trend, SNOMED CT) a report can conclude with. */
export const DISEASE_STATUS = {
  improved: { code: '268910001', display: "Patient's condition improved (finding)" },
  stable: { code: '359746009', display: "Patient's condition stable (finding)" },
  worse: { code: '271299001', display: "Patient's condition worsened (finding)" },
} as const;
export type DiseaseStatus = keyof typeof DISEASE_STATUS;

export interface SubjectPatient {
  mrn: string;
  display: string;
}

export interface Procedure {
  text: string;
  loinc?: string;
}

export interface BodyPart {
  snomed: string;
  display: string;
}

function subjectOf(patient: SubjectPatient): Reference<Patient> {
  return {
    type: 'Patient',
    identifier: { system: SYNTHETIC_MRN_SYSTEM, value: patient.mrn },
    display: patient.display,
  };
}

function accessionIdentifier(value: string, withIssuer: boolean): Identifier {
  return {
    type: { coding: [{ system: V2_0203, code: 'ACSN' }] },
    ...(withIssuer ? { system: SYNTHETIC_ACCESSION_SYSTEM } : {}),
    value,
  };
}

function procedureCode(procedure: Procedure): CodeableConcept {
  return {
    ...(procedure.loinc
      ? { coding: [{ system: LOINC, code: procedure.loinc, display: procedure.text }] }
      : {}),
    text: procedure.text,
  };
}

export interface OrderOptions {
  id: string;
  patient: SubjectPatient;
  procedure: Procedure;
  authoredOn: string;
  occurrence?: string;
  accession: string;
  purpose?: Purpose;
  reason?: string;
  condition: string;
}

/** An imaging ServiceRequest as the EHR sends it; the RIS accession number carries its issuer. */
export function imagingOrder(options: OrderOptions): ServiceRequest {
  const { id, patient, procedure, authoredOn, occurrence, accession, purpose, reason, condition } = options;
  return {
    resourceType: 'ServiceRequest',
    id,
    identifier: [accessionIdentifier(accession, true)],
    status: 'active',
    intent: 'order',
    category: [
      { coding: [{ system: SNOMED, code: '363679005', display: 'Imaging' }] },
      ...(purpose ? [{ coding: [{ system: IMAGING_PURPOSE_SYSTEM, code: purpose }] }] : []),
    ],
    code: procedureCode(procedure),
    subject: subjectOf(patient),
    ...(occurrence ? { occurrenceDateTime: occurrence } : {}),
    authoredOn,
    ...(reason ? { reasonCode: [{ text: reason }] } : {}),
    reasonReference: [{ reference: `Condition/${condition}` }],
  };
}

export interface SeriesOptions {
  modality: string;
  bodyPart?: BodyPart;
  description?: string;
  instances: number;
}

export interface StudyOptions {
  id: string;
  patient: SubjectPatient;
  uid: string;
  started: string;
  accession: string;
  description?: string;
  series: readonly SeriesOptions[];
}

/** An ImagingStudy as the PACS publishes it: Study Instance UID, the accession without its issuer. */
export function imagingStudy(options: StudyOptions): ImagingStudy {
  const { id, patient, uid, started, accession, description, series } = options;
  return {
    resourceType: 'ImagingStudy',
    id,
    identifier: [{ system: 'urn:dicom:uid', value: `urn:oid:${uid}` }, accessionIdentifier(accession, false)],
    status: 'available',
    modality: [...new Set(series.map((s) => s.modality))].map((code) => ({ system: DICOM_DCM, code })),
    subject: subjectOf(patient),
    started,
    ...(description ? { description } : {}),
    numberOfSeries: series.length,
    numberOfInstances: series.reduce((sum, s) => sum + s.instances, 0),
    series: series.map((s, index) => ({
      uid: `${uid}.${String(index + 1)}`,
      number: index + 1,
      modality: { system: DICOM_DCM, code: s.modality },
      ...(s.description ? { description: s.description } : {}),
      numberOfInstances: s.instances,
      ...(s.bodyPart
        ? { bodySite: { system: SNOMED, code: s.bodyPart.snomed, display: s.bodyPart.display } }
        : {}),
    })),
  };
}

/** One measured target lesion: RECIST longest diameter, or short axis for a lymph node. */
export interface LesionMeasurement {
  /** DICOM Tracking Identifier: the same lesion keeps it across exams. */
  trackingId: string;
  site: BodyPart;
  laterality?: 'left' | 'right';
  node: boolean;
  /** The size RECIST sums, in mm: the longest diameter, or the short axis of a node. */
  mm: number;
}

const LATERALITY = {
  left: { code: '7771000', display: 'Left' },
  right: { code: '24028007', display: 'Right' },
} as const;

function lengthQuantity(mm: number, unit: 'mm' | 'cm'): Observation['valueQuantity'] {
  const value = unit === 'cm' ? Math.round(mm) / 10 : Math.round(mm * 10) / 10;
  return { value, unit, system: UCUM, code: unit };
}

/** A contained LOINC 21889-1 tumour-size Observation, in the unit the reading radiologist used. */
export function tumourSizeObservation(id: string, lesion: LesionMeasurement, unit: 'mm' | 'cm'): Observation {
  const laterality = lesion.laterality ? LATERALITY[lesion.laterality] : undefined;
  return {
    resourceType: 'Observation',
    id,
    identifier: [
      {
        type: { coding: [{ system: DICOM_DCM, code: '112039', display: 'Tracking Identifier' }] },
        value: lesion.trackingId,
      },
    ],
    status: 'final',
    category: [
      { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'imaging' }] },
      ...(lesion.node ? [{ coding: [{ system: TUMOUR_ASSESSMENT_SYSTEM, code: 'lymph-node' }] }] : []),
    ],
    code: { coding: [{ system: LOINC, code: '21889-1', display: 'Size Tumor' }] },
    bodySite: {
      coding: [{ system: SNOMED, code: lesion.site.snomed, display: lesion.site.display }],
      ...(laterality
        ? {
            extension: [
              {
                url: 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-laterality-qualifier',
                valueCodeableConcept: { coding: [{ system: SNOMED, ...laterality }] },
              },
            ],
          }
        : {}),
    },
    // A node is reported by its short axis; its long axis rides along as a component.
    ...(lesion.node
      ? {
          valueQuantity: lengthQuantity(lesion.mm + 6, unit),
          component: [
            {
              code: { coding: [{ system: SNOMED, code: '103340004', display: 'Short axis' }] },
              valueQuantity: lengthQuantity(lesion.mm, unit),
            },
          ],
        }
      : { valueQuantity: lengthQuantity(lesion.mm, unit) }),
  };
}

export interface ReportOptions {
  id: string;
  patient: SubjectPatient;
  procedure: Procedure;
  effective: string;
  issued: string;
  /** The study reported on, by literal id or by Study Instance UID; none for a report without images. */
  study?: { id: string } | { uid: string };
  accession?: string;
  conclusion: string;
  diseaseStatus?: DiseaseStatus;
  measurements?: { lesions: readonly LesionMeasurement[]; unit: 'mm' | 'cm' };
}

/** A final radiology DiagnosticReport as the RIS sends it, measurements contained. */
export function imagingReport(options: ReportOptions): DiagnosticReport {
  const {
    id,
    patient,
    procedure,
    effective,
    issued,
    study,
    accession,
    conclusion,
    diseaseStatus,
    measurements,
  } = options;
  const observations = (measurements?.lesions ?? []).map((lesion, index) =>
    tumourSizeObservation(`lesion-${String(index + 1)}`, lesion, measurements?.unit ?? 'mm'),
  );
  return {
    resourceType: 'DiagnosticReport',
    id,
    ...(accession ? { identifier: [accessionIdentifier(accession, true)] } : {}),
    status: 'final',
    category: [
      {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'RAD', display: 'Radiology' },
        ],
      },
    ],
    code: procedureCode(procedure),
    subject: subjectOf(patient),
    effectiveDateTime: effective,
    issued,
    ...(study
      ? {
          imagingStudy: [
            'id' in study
              ? { reference: `ImagingStudy/${study.id}` }
              : {
                  type: 'ImagingStudy',
                  identifier: { system: 'urn:dicom:uid', value: `urn:oid:${study.uid}` },
                },
          ],
        }
      : {}),
    ...(observations.length
      ? { contained: observations, result: observations.map((o) => ({ reference: `#${o.id ?? ''}` })) }
      : {}),
    conclusion,
    ...(diseaseStatus
      ? { conclusionCode: [{ coding: [{ system: SNOMED, ...DISEASE_STATUS[diseaseStatus] }] }] }
      : {}),
  };
}
