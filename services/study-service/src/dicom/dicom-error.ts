import { CodedError } from '@oncoimg/fhir-events';

/**
 * Errors of DICOM intake. All are permanent: a file that cannot be read now will not be readable on
 * a retry, so the upload is answered 4xx and nothing is stored. Messages name what is wrong in the
 * file's structure and never quote patient data.
 */
export const DICOM_ERROR_CODES = [
  /** The file ends early: inside the preamble, the file meta information, the data set or the pixel data. */
  'TRUNCATED',
  /** Not a DICOM Part-10 file: no `DICM` prefix and no file meta information. */
  'NOT_DICOM',
  /** The file meta information has no Transfer Syntax UID (0002,0010). */
  'NO_TRANSFER_SYNTAX',
  /** Readable in principle but outside what this service takes (private transfer syntax, DICOMDIR, part type). */
  'UNSUPPORTED',
  /** Malformed: bad element structure, missing or malformed UIDs, a multipart body that does not parse. */
  'INVALID',
] as const;

export type DicomErrorCode = (typeof DICOM_ERROR_CODES)[number];

export class DicomError extends CodedError<DicomErrorCode> {}

/** True for a DicomError, also across module copies (codes are compared, not classes). */
export function isDicomError(error: unknown): error is DicomError {
  return (
    error instanceof DicomError ||
    (error instanceof Error &&
      error.name === 'DicomError' &&
      DICOM_ERROR_CODES.includes((error as { code?: unknown }).code as DicomErrorCode))
  );
}
