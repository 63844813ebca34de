/** Identifier and code systems the synthetic personas use. Every value here is made up. */

/** Medical record numbers of the personas' hospital. */
export const PERSONA_MRN_SYSTEM = 'https://oncoimg.example.org/fhir/sid/mrn';

/** The RIS that issues accession numbers (an order's accession carries it as `system`). */
export const PERSONA_RIS_ACCESSION_SYSTEM = 'https://ris.oncoimg.example.org/fhir/sid/accession';

/** Placer order numbers of the personas' EHR. */
export const PERSONA_PLACER_SYSTEM = 'https://ehr.oncoimg.example.org/fhir/sid/placer-order';

/** The project's imaging-purpose CodeSystem, declared by the event contract. */
export { IMAGING_PURPOSE_SYSTEM as PERSONA_IMAGING_PURPOSE_SYSTEM } from '@oncoimg/fhir-events';

export const LOINC = 'http://loinc.org';
export const SNOMED = 'http://snomed.info/sct';
export const DICOM_DCM = 'http://dicom.nema.org/resources/ontology/DCM';
export const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';
export const DICOM_UID_SYSTEM = 'urn:dicom:uid';
