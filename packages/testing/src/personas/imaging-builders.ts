import type {
  DiagnosticReport,
  Identifier,
  ImagingStudy,
  Patient,
  Reference,
  ServiceRequest,
} from '@medplum/fhirtypes';
import {
  DICOM_DCM,
  DICOM_UID_SYSTEM,
  LOINC,
  PERSONA_IMAGING_PURPOSE_SYSTEM,
  PERSONA_MRN_SYSTEM,
  PERSONA_PLACER_SYSTEM,
  PERSONA_RIS_ACCESSION_SYSTEM,
  SNOMED,
  V2_0203,
} from './systems.ts';

/** A synthetic patient: their MRN and the patient key the events are keyed by (`system|value`). */
export interface PersonaPatient {
  identifier: { system: string; value: string };
  key: string;
}

/** A patient known by their MRN. */
export function personaPatient(mrn: string, system: string = PERSONA_MRN_SYSTEM): PersonaPatient {
  return { identifier: { system, value: mrn }, key: `${system}|${mrn}` };
}

function subjectOf(patient: PersonaPatient): Reference<Patient> {
  return { type: 'Patient', identifier: { ...patient.identifier } };
}

/** An accession number identifier (`v2-0203#ACSN`); `issuer: null` leaves the issuer out, as DICOM often does. */
export function accessionIdentifier(
  value: string,
  issuer: string | null = PERSONA_RIS_ACCESSION_SYSTEM,
): Identifier {
  return {
    type: { coding: [{ system: V2_0203, code: 'ACSN' }] },
    ...(issuer === null ? {} : { system: issuer }),
    value,
  };
}

/** A Study Instance UID identifier, the way FHIR writes it (`urn:dicom:uid`, `urn:oid:…`). */
export function studyUidIdentifier(uid: string): Identifier {
  return { system: DICOM_UID_SYSTEM, value: `urn:oid:${uid}` };
}

export type PurposeCode =
  'screening' | 'diagnosis' | 'staging' | 'baseline' | 'planning' | 'response' | 'surveillance' | 'guidance';

export interface ImagingOrderOptions {
  id: string;
  patient: PersonaPatient;
  /** What is ordered, e.g. `{ loinc: '24627-2', text: 'CT Chest' }`. */
  procedure: { text: string; loinc?: string };
  authoredOn: string;
  occurrence?: string;
  accession?: string;
  accessionIssuer?: string | null;
  placerNumber?: string;
  /** An explicit imaging-purpose code in `category`. */
  purpose?: PurposeCode;
  reason?: string;
  reasonSnomed?: { code: string; display: string };
  /** Id of the Condition (the episode) the order is for. */
  condition?: string;
  bodySite?: { snomed: string; display: string };
  status?: ServiceRequest['status'];
  versionId?: string;
  lastUpdated?: string;
}

/** An imaging ServiceRequest as an EHR/RIS sends it. */
export function imagingOrder(options: ImagingOrderOptions): ServiceRequest {
  const {
    id,
    patient,
    procedure,
    authoredOn,
    occurrence,
    accession,
    accessionIssuer = PERSONA_RIS_ACCESSION_SYSTEM,
    placerNumber,
    purpose,
    reason,
    reasonSnomed,
    condition,
    bodySite,
    status = 'active',
    versionId = '1',
    lastUpdated = authoredOn,
  } = options;
  const identifier: Identifier[] = [
    ...(placerNumber
      ? [
          {
            type: { coding: [{ system: V2_0203, code: 'PLAC' }] },
            system: PERSONA_PLACER_SYSTEM,
            value: placerNumber,
          },
        ]
      : []),
    ...(accession ? [accessionIdentifier(accession, accessionIssuer)] : []),
  ];
  return {
    resourceType: 'ServiceRequest',
    id,
    meta: { versionId, lastUpdated },
    ...(identifier.length ? { identifier } : {}),
    status,
    intent: 'order',
    category: [
      { coding: [{ system: SNOMED, code: '363679005', display: 'Imaging' }] },
      ...(purpose ? [{ coding: [{ system: PERSONA_IMAGING_PURPOSE_SYSTEM, code: purpose }] }] : []),
    ],
    code: {
      ...(procedure.loinc
        ? { coding: [{ system: LOINC, code: procedure.loinc, display: procedure.text }] }
        : {}),
      text: procedure.text,
    },
    subject: subjectOf(patient),
    ...(occurrence ? { occurrenceDateTime: occurrence } : {}),
    authoredOn,
    ...(reason || reasonSnomed
      ? {
          reasonCode: [
            {
              ...(reasonSnomed
                ? { coding: [{ system: SNOMED, code: reasonSnomed.code, display: reasonSnomed.display }] }
                : {}),
              ...(reason ? { text: reason } : {}),
            },
          ],
        }
      : {}),
    ...(condition ? { reasonReference: [{ reference: `Condition/${condition}` }] } : {}),
    ...(bodySite
      ? { bodySite: [{ coding: [{ system: SNOMED, code: bodySite.snomed, display: bodySite.display }] }] }
      : {}),
  };
}

export interface SeriesOptions {
  uid: string;
  modality: string;
  description?: string;
  /** SNOMED body part, or a DICOM Body Part Examined term alone (`{ display: 'CHEST' }`). */
  bodyPart?: { snomed?: string; display: string };
  instances?: number;
}

export interface ImagingStudyOptions {
  id: string;
  patient: PersonaPatient;
  uid: string;
  started: string;
  series: SeriesOptions[];
  accession?: string;
  /** PACS often drops the issuer of the accession number: none by default. */
  accessionIssuer?: string | null;
  /** The order this study was done for: a literal id or an identifier. */
  basedOn?: { order: string } | { identifier: Identifier };
  description?: string;
  status?: ImagingStudy['status'];
  versionId?: string;
  lastUpdated?: string;
}

/** An ImagingStudy as a PACS (or the study service's DICOM mapping) publishes it. */
export function imagingStudy(options: ImagingStudyOptions): ImagingStudy {
  const {
    id,
    patient,
    uid,
    started,
    series,
    accession,
    accessionIssuer = null,
    basedOn,
    description,
    status = 'available',
    versionId = '1',
    lastUpdated = started,
  } = options;
  const modalities = [...new Set(series.map((s) => s.modality))];
  return {
    resourceType: 'ImagingStudy',
    id,
    meta: { versionId, lastUpdated },
    identifier: [
      studyUidIdentifier(uid),
      ...(accession ? [accessionIdentifier(accession, accessionIssuer)] : []),
    ],
    status,
    modality: modalities.map((code) => ({ system: DICOM_DCM, code })),
    subject: subjectOf(patient),
    started,
    ...(basedOn
      ? {
          basedOn: [
            'order' in basedOn
              ? { reference: `ServiceRequest/${basedOn.order}` }
              : { type: 'ServiceRequest', identifier: basedOn.identifier },
          ],
        }
      : {}),
    ...(description ? { description } : {}),
    numberOfSeries: series.length,
    numberOfInstances: series.reduce((sum, s) => sum + (s.instances ?? 1), 0),
    series: series.map((s, index) => ({
      uid: s.uid,
      number: index + 1,
      modality: { system: DICOM_DCM, code: s.modality },
      ...(s.description ? { description: s.description } : {}),
      numberOfInstances: s.instances ?? 1,
      ...(s.bodyPart
        ? {
            bodySite: s.bodyPart.snomed
              ? { system: SNOMED, code: s.bodyPart.snomed, display: s.bodyPart.display }
              : { code: s.bodyPart.display },
          }
        : {}),
    })),
  };
}

export interface ImagingReportOptions {
  id: string;
  patient: PersonaPatient;
  status: DiagnosticReport['status'];
  code: { text: string; loinc?: string };
  effective: string;
  issued: string;
  /** The study reported on: literal id, or its Study Instance UID (logical reference). */
  imagingStudy?: { study: string } | { uid: string };
  /** The order reported on: literal id, or an identifier (placer number). */
  basedOn?: { order: string } | { identifier: Identifier };
  accession?: string;
  accessionIssuer?: string | null;
  conclusion?: string;
  versionId?: string;
  lastUpdated?: string;
}

/** A radiology DiagnosticReport as a RIS sends it. */
export function imagingReport(options: ImagingReportOptions): DiagnosticReport {
  const {
    id,
    patient,
    status,
    code,
    effective,
    issued,
    imagingStudy: study,
    basedOn,
    accession,
    accessionIssuer = PERSONA_RIS_ACCESSION_SYSTEM,
    conclusion,
    versionId = '1',
    lastUpdated = issued,
  } = options;
  return {
    resourceType: 'DiagnosticReport',
    id,
    meta: { versionId, lastUpdated },
    ...(accession ? { identifier: [accessionIdentifier(accession, accessionIssuer)] } : {}),
    ...(basedOn
      ? {
          basedOn: [
            'order' in basedOn
              ? { reference: `ServiceRequest/${basedOn.order}` }
              : { type: 'ServiceRequest', identifier: basedOn.identifier },
          ],
        }
      : {}),
    status,
    category: [
      {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'RAD', display: 'Radiology' },
        ],
      },
    ],
    code: {
      ...(code.loinc ? { coding: [{ system: LOINC, code: code.loinc, display: code.text }] } : {}),
      text: code.text,
    },
    subject: subjectOf(patient),
    effectiveDateTime: effective,
    issued,
    ...(study
      ? {
          imagingStudy: [
            'study' in study
              ? { reference: `ImagingStudy/${study.study}` }
              : { type: 'ImagingStudy', identifier: studyUidIdentifier(study.uid) },
          ],
        }
      : {}),
    ...(conclusion ? { conclusion } : {}),
  };
}

/** A later version of a resource: same id, next `versionId`, with the changes applied. */
export function nextVersion<T extends ServiceRequest | ImagingStudy | DiagnosticReport>(
  resource: T,
  lastUpdated: string,
  changes: Partial<T>,
): T {
  const versionId = String(Number(resource.meta?.versionId ?? '1') + 1);
  return { ...resource, ...changes, meta: { ...resource.meta, versionId, lastUpdated } };
}
