import type { Identifier, Patient, Reference } from '@medplum/fhirtypes';
import { DICOM_DCM, DICOM_UID_SYSTEM, RIS_ACCESSION_SYSTEM, V2_0203 } from './systems.ts';

/** A synthetic patient: their MRN, the patient key the events are keyed by (`system|value`), a name. */
export interface PatientRef {
  identifier: { system: string; value: string };
  key: string;
  /** Written as `subject.display` when given. */
  display?: string;
}

/** A patient known by their MRN in `system`. */
export function patientRef(system: string, mrn: string, display?: string): PatientRef {
  return { identifier: { system, value: mrn }, key: `${system}|${mrn}`, ...(display ? { display } : {}) };
}

/** The logical reference to a patient that orders, studies and reports carry as `subject`. */
export function subjectOf(patient: PatientRef): Reference<Patient> {
  return {
    type: 'Patient',
    identifier: { ...patient.identifier },
    ...(patient.display ? { display: patient.display } : {}),
  };
}

/** An accession number identifier (`v2-0203#ACSN`); `issuer: null` leaves the issuer out, as DICOM often does. */
export function accessionIdentifier(value: string, issuer: string | null = RIS_ACCESSION_SYSTEM): Identifier {
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

/** `meta` of a stored version; `versionId: null` leaves it out, as a client sends a resource. */
export function versionMeta(
  versionId: string | null,
  lastUpdated: string,
): { meta?: { versionId: string; lastUpdated: string } } {
  return versionId === null ? {} : { meta: { versionId, lastUpdated } };
}

/** The DICOM Tracking Identifier (DCM 112039) a lesion keeps across exams. */
export function trackingIdentifier(value: string): Identifier {
  return { type: { coding: [{ system: DICOM_DCM, code: '112039', display: 'Tracking Identifier' }] }, value };
}
