/** Code and identifier systems the builders write. Every value under oncoimg.example.org is made up. */

export const LOINC = 'http://loinc.org';
export const SNOMED = 'http://snomed.info/sct';
export const UCUM = 'http://unitsofmeasure.org';
export const DICOM_DCM = 'http://dicom.nema.org/resources/ontology/DCM';
export const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';
export const DICOM_UID_SYSTEM = 'urn:dicom:uid';

/** The RIS that issues accession numbers (an order's accession carries it as `system`). */
export const RIS_ACCESSION_SYSTEM = 'https://ris.oncoimg.example.org/fhir/sid/accession';

/** The project's imaging-purpose and tumour-assessment CodeSystems, declared by the event contract. */
export { IMAGING_PURPOSE_SYSTEM, TUMOUR_ASSESSMENT_SYSTEM } from '@oncoimg/fhir-events';

/** Placer order numbers of the EHR. */
export const EHR_PLACER_SYSTEM = 'https://ehr.oncoimg.example.org/fhir/sid/placer-order';
