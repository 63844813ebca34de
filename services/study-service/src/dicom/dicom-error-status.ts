import type { DicomErrorCode } from './dicom-error.ts';

const STATUS: Readonly<Record<DicomErrorCode, number>> = {
  TRUNCATED: 400,
  NOT_DICOM: 400,
  NO_TRANSFER_SYNTAX: 400,
  INVALID: 400,
  // The file (or part) may be fine; this service does not take that kind of content.
  UNSUPPORTED: 415,
};

/** The HTTP status that answers a DicomError of this code. */
export function httpStatusOfDicomError(code: DicomErrorCode): number {
  return STATUS[code];
}
