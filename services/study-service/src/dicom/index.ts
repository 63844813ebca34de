/**
 * DICOM Part-10 intake for the study service: header reading (dicom-parser, pixel data never
 * read), multipart/related splitting and the mapping of instances onto FHIR R4 ImagingStudy.
 * Decisions and limits are in README.md beside this file.
 */
export { DICOM_ERROR_CODES, DicomError, isDicomError, type DicomErrorCode } from './dicom-error.ts';
export { httpStatusOfDicomError } from './dicom-error-status.ts';
export type { DicomCode, DicomInstanceHeader, DicomIssuer } from './dicom-instance-header.ts';
export {
  DEFAULT_MAX_INFLATED_BYTES,
  readDicomHeader,
  type ReadDicomHeaderOptions,
} from './read-dicom-header.ts';
export {
  DICOM_MEDIA_TYPE,
  parseMediaType,
  splitMultipartRelated,
  type MediaType,
} from './multipart-related.ts';
export {
  DICOM_DCM_SYSTEM,
  DICOM_UID_SYSTEM,
  groupByStudy,
  isRadiotherapyStudy,
  mergeIntoImagingStudy,
  RADIOTHERAPY_MODALITIES,
  SOP_CLASS_SYSTEM,
  studyInstanceUidOf,
  studyUidIdentifier,
  type ImagingStudyMappingOptions,
} from './imaging-study-mapping.ts';
export {
  accessionIdentifierOf,
  DEFAULT_PATIENT_ID_SYSTEM,
  IDENTIFIER_TYPE_SYSTEM,
  LOCAL_ISSUER_SYSTEM_PREFIX,
  patientIdentifierOf,
  systemOfIssuer,
  type IdentifierMappingOptions,
} from './dicom-identifiers.ts';
export { bodySiteOfBodyPart, SNOMED_SYSTEM } from './body-part.ts';
