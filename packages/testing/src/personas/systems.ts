/** Identifier and code systems the synthetic personas use. Every value here is made up. */
import { EHR_PLACER_SYSTEM, IMAGING_PURPOSE_SYSTEM, RIS_ACCESSION_SYSTEM } from '@oncoimg/fhir-builders';

export { DICOM_DCM, DICOM_UID_SYSTEM, LOINC, SNOMED, V2_0203 } from '@oncoimg/fhir-builders';

/** Medical record numbers of the personas' hospital. */
export const PERSONA_MRN_SYSTEM = 'https://oncoimg.example.org/fhir/sid/mrn';

/** The RIS that issues accession numbers (an order's accession carries it as `system`). */
export const PERSONA_RIS_ACCESSION_SYSTEM = RIS_ACCESSION_SYSTEM;

/** Placer order numbers of the personas' EHR. */
export const PERSONA_PLACER_SYSTEM = EHR_PLACER_SYSTEM;

/** The project's imaging-purpose CodeSystem, declared by the event contract. */
export const PERSONA_IMAGING_PURPOSE_SYSTEM = IMAGING_PURPOSE_SYSTEM;
