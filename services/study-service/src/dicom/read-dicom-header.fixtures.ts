/**
 * Helpers the readDicomHeader tests share: the DicomError a read throws, and the identity of a header.
 * Test support only; nothing in production imports it.
 */
import { DicomError } from './dicom-error.ts';
import type { DicomInstanceHeader } from './dicom-instance-header.ts';

export function dicomErrorOf(read: () => unknown): DicomError {
  try {
    read();
  } catch (error) {
    if (error instanceof DicomError) {
      return error;
    }
    throw new Error(`expected a DicomError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected a DicomError, but the file was read');
}

export function identity(header: DicomInstanceHeader) {
  const { studyInstanceUid, seriesInstanceUid, sopInstanceUid, sopClassUid, modality } = header;
  return { studyInstanceUid, seriesInstanceUid, sopInstanceUid, sopClassUid, modality };
}
