import { inflateRawSync } from 'node:zlib';
import { DicomError, isDicomError } from './dicom-error.ts';
import { dicomParser, type DataSet, type Element } from './dicom-parser-library.ts';
import { TAG } from './dicom-tags.ts';
import { isImageSopClass } from './sop-class.ts';
import { DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN, isUid, transferSyntaxProblem } from './transfer-syntax.ts';

/**
 * Reading a Part-10 file's meta information and data set with dicom-parser, and telling a
 * truncated file from a malformed one in what the parser throws or tolerates.
 */

/** The length of a sequence, item or encapsulated pixel data that ends with a delimiter instead. */
export const UNDEFINED_LENGTH = 0xffffffff;

function messageOf(error: unknown): string {
  if (typeof error === 'string') {
    return error;
  }
  if (error instanceof Error) {
    return error.message;
  }
  // parseDicom wraps data set errors as { exception, dataSet }.
  if (error && typeof error === 'object' && 'exception' in error) {
    return messageOf(error.exception);
  }
  return String(error);
}

// What dicom-parser says when the bytes run out. An item or element whose declared length reaches
// past the end of the file shows up as an invalid `maxPosition` for the nested parse.
const TRUNCATION =
  /past end of buffer|buffer overrun|buffer overread|eof encountered|cannot be greater than or equal|missing sequence delimiter|invalid value for parameter 'maxP ?osition'/i;

/** A DicomError for whatever the parser threw while reading `where`. */
export function readError(error: unknown, where: string): DicomError {
  if (isDicomError(error)) {
    return error;
  }
  const reason = messageOf(error);
  if (TRUNCATION.test(reason)) {
    return new DicomError('TRUNCATED', `the file ends inside its ${where}`, { cause: error });
  }
  return new DicomError('INVALID', `malformed ${where}: ${reason.replace(/^dicomParser[.:]\s*/, '')}`, {
    cause: error,
  });
}

function inflaterFor(maxOutputLength: number) {
  return (file: Uint8Array, position: number): Uint8Array => {
    let inflated: Buffer;
    try {
      inflated = inflateRawSync(file.subarray(position), { maxOutputLength });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'Z_BUF_ERROR') {
        throw new DicomError('TRUNCATED', 'the deflated data set ends early', { cause: error });
      }
      if (code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
        throw new DicomError(
          'UNSUPPORTED',
          `the deflated data set inflates beyond ${String(maxOutputLength)} bytes`,
          {
            cause: error,
          },
        );
      }
      throw new DicomError('INVALID', 'the deflated data set is not valid deflate data', { cause: error });
    }
    const whole = new Uint8Array(position + inflated.length);
    whole.set(file.subarray(0, position));
    whole.set(inflated, position);
    return whole;
  };
}

export function readFileMeta(file: Uint8Array): DataSet & { position?: number } {
  try {
    return dicomParser.readPart10Header(file);
  } catch (error) {
    throw readError(error, 'file meta information');
  }
}

/** The file ends inside its file meta information when the declared group length reaches past it. */
export function assertMetaComplete(meta: DataSet & { position?: number }, file: Uint8Array): void {
  const groupLength = elementOf(meta, TAG.FileMetaInformationGroupLength);
  const declared = groupLength?.length === 4 ? meta.uint32(TAG.FileMetaInformationGroupLength) : undefined;
  const metaEnd = groupLength && declared !== undefined ? groupLength.dataOffset + 4 + declared : undefined;
  if ((metaEnd !== undefined && metaEnd > file.length) || (meta.position ?? 0) >= file.length) {
    throw new DicomError('TRUNCATED', 'the file ends inside or right after its file meta information');
  }
}

export function transferSyntaxOf(meta: DataSet): string {
  const uid = elementOf(meta, TAG.TransferSyntaxUID) ? meta.string(TAG.TransferSyntaxUID) : undefined;
  if (!uid) {
    throw new DicomError(
      'NO_TRANSFER_SYNTAX',
      'the file meta information has no Transfer Syntax UID (0002,0010)',
    );
  }
  if (!isUid(uid)) {
    throw new DicomError('INVALID', 'Transfer Syntax UID (0002,0010) is not a valid UID');
  }
  const problem = transferSyntaxProblem(uid);
  if (problem) {
    throw new DicomError('UNSUPPORTED', problem);
  }
  return uid;
}

export function readDataSet(file: Uint8Array, transferSyntaxUid: string, maxInflatedBytes: number): DataSet {
  try {
    // Stops at Pixel Data (7FE0,0010) after reading its tag, VR and length: pixel data is never read.
    return dicomParser.parseDicom(file, {
      untilTag: TAG.PixelData,
      ...(transferSyntaxUid === DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN
        ? {
            inflater: inflaterFor(maxInflatedBytes) as unknown as (arr: Uint8Array, position: number) => void,
          }
        : {}),
    });
  } catch (error) {
    throw readError(error, 'data set');
  }
}

/** The element of a tag, if the data set has it (the library's index type claims it always does). */
export function elementOf(dataSet: DataSet, tag: string): Element | undefined {
  return Object.hasOwn(dataSet.elements, tag) ? dataSet.elements[tag] : undefined;
}

function* elementsOf(dataSet: DataSet): Generator<Element> {
  for (const element of Object.values(dataSet.elements)) {
    yield element;
    for (const item of element.items ?? []) {
      if (item.dataSet) {
        yield* elementsOf(item.dataSet);
      }
    }
  }
}

/**
 * Encapsulated pixel data has no length; its fragments are walked by their 8-byte item headers
 * (their content is skipped) to find whether the sequence delimiter is in the file.
 */
function encapsulatedPixelDataIsComplete(dataSet: DataSet, pixelData: Element): boolean {
  if (pixelData.dataOffset >= dataSet.byteArray.length) {
    return false;
  }
  const stream = new dicomParser.ByteStream(dataSet.byteArrayParser, dataSet.byteArray, pixelData.dataOffset);
  const warnings: string[] = [];
  try {
    dicomParser.findEndOfEncapsulatedElement(stream, { ...pixelData }, warnings);
  } catch (error) {
    throw readError(error, 'pixel data fragments');
  }
  return !warnings.some((warning) => TRUNCATION.test(warning));
}

/**
 * Truncation the parser tolerates: it warns instead of failing at the end of an undefined-length
 * sequence, and it stops at the pixel data without reading it.
 */
export function assertComplete(dataSet: DataSet): void {
  if (dataSet.warnings.some((warning) => TRUNCATION.test(warning))) {
    throw new DicomError('TRUNCATED', 'the file ends inside a sequence of its data set');
  }
  const size = dataSet.byteArray.length;
  for (const element of elementsOf(dataSet)) {
    if (element.length !== UNDEFINED_LENGTH && element.dataOffset + element.length > size) {
      const where = element.tag === TAG.PixelData ? 'pixel data (7FE0,0010)' : 'data set';
      throw new DicomError('TRUNCATED', `the file ends inside its ${where}`);
    }
  }
  const pixelData = elementOf(dataSet, TAG.PixelData);
  if (pixelData?.length === UNDEFINED_LENGTH && !encapsulatedPixelDataIsComplete(dataSet, pixelData)) {
    throw new DicomError('TRUNCATED', 'the file ends inside its encapsulated pixel data (7FE0,0010)');
  }
  const hasPixelData = [TAG.PixelData, TAG.FloatPixelData, TAG.DoubleFloatPixelData].some((tag) =>
    elementOf(dataSet, tag),
  );
  if (elementOf(dataSet, TAG.Rows) && !hasPixelData) {
    throw new DicomError(
      'TRUNCATED',
      'the image has Rows (0028,0010) but the file ends before its pixel data',
    );
  }
  if (!Object.keys(dataSet.elements).some((tag) => !tag.startsWith('x0002'))) {
    throw new DicomError('TRUNCATED', 'the file ends after its file meta information');
  }
  const sopClassUid = dataSet.string(TAG.SOPClassUID) ?? dataSet.string(TAG.MediaStorageSOPClassUID);
  if (sopClassUid && isImageSopClass(sopClassUid) && !hasPixelData) {
    throw new DicomError('TRUNCATED', 'the image ends before its pixel data (7FE0,0010)');
  }
}
