/**
 * The personas build their resources with @oncoimg/fhir-builders, the library the demo cohort
 * uses too; these names stay exported here so tests keep importing them from @oncoimg/testing.
 */
import { patientRef, type PatientRef } from '@oncoimg/fhir-builders';
import { PERSONA_MRN_SYSTEM } from './systems.ts';

export {
  accessionIdentifier,
  imagingOrder,
  imagingReport,
  imagingStudy,
  nextVersion,
  studyUidIdentifier,
  type ImagingOrderOptions,
  type ImagingReportOptions,
  type ImagingStudyOptions,
  type PurposeCode,
  type SeriesOptions,
} from '@oncoimg/fhir-builders';

/** A synthetic patient: their MRN and the patient key the events are keyed by (`system|value`). */
export type PersonaPatient = PatientRef;

/** A patient known by their MRN. */
export function personaPatient(mrn: string, system: string = PERSONA_MRN_SYSTEM): PersonaPatient {
  return patientRef(system, mrn);
}
