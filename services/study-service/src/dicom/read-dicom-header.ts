import { inflateRawSync } from 'node:zlib';
import { textDecoderFor, type TextDecoderLike } from './character-set.ts';
import { DicomError, isDicomError } from './dicom-error.ts';
import { fhirDateOf, fhirDateTimeOf, fhirOffsetOf, fhirTimeOf } from './dicom-date-time.ts';
import type { DicomCode, DicomInstanceHeader, DicomIssuer } from './dicom-instance-header.ts';
import { dicomParser, type DataSet, type Element } from './dicom-parser-library.ts';
import { TAG } from './dicom-tags.ts';
import { asPart10File } from './part10-file.ts';
import { isImageSopClass, MEDIA_STORAGE_DIRECTORY_SOP_CLASS, modalityOfSopClass } from './sop-class.ts';
import { DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN, isUid, transferSyntaxProblem } from './transfer-syntax.ts';

/** Largest inflated data set of a deflate file; a bigger one is refused rather than held in memory. */
export const DEFAULT_MAX_INFLATED_BYTES = 256 * 1_048_576;

const UNDEFINED_LENGTH = 0xffffffff;

export interface ReadDicomHeaderOptions {
  /**
   * Zone (`±hh:mm`) of files that carry no Timezone Offset From UTC (0008,0201), e.g. the zone of
   * the sending site. Without it such files give a study date without time (FHIR needs a zone).
   */
  defaultTimezoneOffset?: string;
  /** Upper bound of an inflated deflate data set; default DEFAULT_MAX_INFLATED_BYTES. */
  maxInflatedBytes?: number;
}

function messageOf(error: unknown): string {
  if (typeof error === 'string') return error;
  if (error instanceof Error) return error.message;
  // parseDicom wraps data set errors as { exception, dataSet }.
  if (error && typeof error === 'object' && 'exception' in error) return messageOf(error.exception);
  return String(error);
}

// What dicom-parser says when the bytes run out. An item or element whose declared length reaches
// past the end of the file shows up as an invalid `maxPosition` for the nested parse.
const TRUNCATION =
  /past end of buffer|buffer overrun|buffer overread|eof encountered|cannot be greater than or equal|missing sequence delimiter|invalid value for parameter 'maxP ?osition'/i;

/** A DicomError for whatever the parser threw while reading `where`. */
function readError(error: unknown, where: string): DicomError {
  if (isDicomError(error)) return error;
  const reason = messageOf(error);
  if (TRUNCATION.test(reason))
    return new DicomError('TRUNCATED', `the file ends inside its ${where}`, { cause: error });
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
      if (code === 'Z_BUF_ERROR')
        throw new DicomError('TRUNCATED', 'the deflated data set ends early', { cause: error });
      if (code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError)
        throw new DicomError(
          'UNSUPPORTED',
          `the deflated data set inflates beyond ${String(maxOutputLength)} bytes`,
          {
            cause: error,
          },
        );
      throw new DicomError('INVALID', 'the deflated data set is not valid deflate data', { cause: error });
    }
    const whole = new Uint8Array(position + inflated.length);
    whole.set(file.subarray(0, position));
    whole.set(inflated, position);
    return whole;
  };
}

function readFileMeta(file: Uint8Array): DataSet & { position?: number } {
  try {
    return dicomParser.readPart10Header(file);
  } catch (error) {
    throw readError(error, 'file meta information');
  }
}

/** The file ends inside its file meta information when the declared group length reaches past it. */
function assertMetaComplete(meta: DataSet & { position?: number }, file: Uint8Array): void {
  const groupLength = elementOf(meta, TAG.FileMetaInformationGroupLength);
  const declared = groupLength?.length === 4 ? meta.uint32(TAG.FileMetaInformationGroupLength) : undefined;
  const metaEnd = groupLength && declared !== undefined ? groupLength.dataOffset + 4 + declared : undefined;
  if ((metaEnd !== undefined && metaEnd > file.length) || (meta.position ?? 0) >= file.length)
    throw new DicomError('TRUNCATED', 'the file ends inside or right after its file meta information');
}

function transferSyntaxOf(meta: DataSet): string {
  const uid = elementOf(meta, TAG.TransferSyntaxUID) ? meta.string(TAG.TransferSyntaxUID) : undefined;
  if (!uid)
    throw new DicomError(
      'NO_TRANSFER_SYNTAX',
      'the file meta information has no Transfer Syntax UID (0002,0010)',
    );
  if (!isUid(uid)) throw new DicomError('INVALID', 'Transfer Syntax UID (0002,0010) is not a valid UID');
  const problem = transferSyntaxProblem(uid);
  if (problem) throw new DicomError('UNSUPPORTED', problem);
  return uid;
}

function readDataSet(file: Uint8Array, transferSyntaxUid: string, maxInflatedBytes: number): DataSet {
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
function elementOf(dataSet: DataSet, tag: string): Element | undefined {
  return Object.hasOwn(dataSet.elements, tag) ? dataSet.elements[tag] : undefined;
}

function* elementsOf(dataSet: DataSet): Generator<Element> {
  for (const element of Object.values(dataSet.elements)) {
    yield element;
    for (const item of element.items ?? []) if (item.dataSet) yield* elementsOf(item.dataSet);
  }
}

/**
 * Encapsulated pixel data has no length; its fragments are walked by their 8-byte item headers
 * (their content is skipped) to find whether the sequence delimiter is in the file.
 */
function encapsulatedPixelDataIsComplete(dataSet: DataSet, pixelData: Element): boolean {
  if (pixelData.dataOffset >= dataSet.byteArray.length) return false;
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
function assertComplete(dataSet: DataSet): void {
  if (dataSet.warnings.some((warning) => TRUNCATION.test(warning)))
    throw new DicomError('TRUNCATED', 'the file ends inside a sequence of its data set');
  const size = dataSet.byteArray.length;
  for (const element of elementsOf(dataSet)) {
    if (element.length !== UNDEFINED_LENGTH && element.dataOffset + element.length > size) {
      const where = element.tag === TAG.PixelData ? 'pixel data (7FE0,0010)' : 'data set';
      throw new DicomError('TRUNCATED', `the file ends inside its ${where}`);
    }
  }
  const pixelData = elementOf(dataSet, TAG.PixelData);
  if (pixelData?.length === UNDEFINED_LENGTH && !encapsulatedPixelDataIsComplete(dataSet, pixelData))
    throw new DicomError('TRUNCATED', 'the file ends inside its encapsulated pixel data (7FE0,0010)');
  const hasPixelData = [TAG.PixelData, TAG.FloatPixelData, TAG.DoubleFloatPixelData].some((tag) =>
    elementOf(dataSet, tag),
  );
  if (elementOf(dataSet, TAG.Rows) && !hasPixelData)
    throw new DicomError(
      'TRUNCATED',
      'the image has Rows (0028,0010) but the file ends before its pixel data',
    );
  if (!Object.keys(dataSet.elements).some((tag) => !tag.startsWith('x0002')))
    throw new DicomError('TRUNCATED', 'the file ends after its file meta information');
  const sopClassUid = dataSet.string(TAG.SOPClassUID) ?? dataSet.string(TAG.MediaStorageSOPClassUID);
  if (sopClassUid && isImageSopClass(sopClassUid) && !hasPixelData)
    throw new DicomError('TRUNCATED', 'the image ends before its pixel data (7FE0,0010)');
}

/** Reads attribute values of one data set (or sequence item) with the file's character set. */
class AttributeReader {
  readonly dataSet: DataSet;
  readonly decoder: TextDecoderLike;

  constructor(dataSet: DataSet, decoder: TextDecoderLike) {
    this.dataSet = dataSet;
    this.decoder = decoder;
  }

  /** An ASCII value (UI, CS, DA, TM, IS, DS): first value, padding removed. */
  ascii(tag: string): string | undefined {
    const element = elementOf(this.dataSet, tag);
    if (!element || element.length === 0 || element.length === UNDEFINED_LENGTH) return undefined;
    return this.dataSet.string(tag)?.trim() || undefined;
  }

  /** A text value (SH, LO, ST, LT) decoded with the Specific Character Set: first value, trimmed. */
  text(tag: string): string | undefined {
    const element = elementOf(this.dataSet, tag);
    if (!element || element.length === 0 || element.length === UNDEFINED_LENGTH) return undefined;
    const bytes = this.dataSet.byteArray.subarray(element.dataOffset, element.dataOffset + element.length);
    const [first = ''] = this.decoder.decode(bytes).split('\\');
    return first.replace(/\0+$/, '').trim() || undefined;
  }

  integer(tag: string): number | undefined {
    const value = this.ascii(tag);
    const number = value === undefined ? Number.NaN : Number(value);
    return Number.isSafeInteger(number) ? number : undefined;
  }

  /** The first item of a sequence. */
  item(tag: string): AttributeReader | undefined {
    const item = elementOf(this.dataSet, tag)?.items?.at(0)?.dataSet;
    return item ? new AttributeReader(item, this.decoder) : undefined;
  }

  /** The first item of a code sequence as a code, when it has a value and scheme. */
  code(tag: string): DicomCode | undefined {
    const item = this.item(tag);
    const code = item?.text(TAG.CodeValue);
    const scheme = item?.ascii(TAG.CodingSchemeDesignator);
    if (!item || !code || !scheme) return undefined;
    const meaning = item.text(TAG.CodeMeaning);
    return { code, scheme, ...(meaning ? { meaning } : {}) };
  }

  /** All codes of a code sequence. */
  codes(tag: string): DicomCode[] {
    const items = elementOf(this.dataSet, tag)?.items ?? [];
    return items.flatMap((item) => {
      if (!item.dataSet) return [];
      const reader = new AttributeReader(item.dataSet, this.decoder);
      const code = reader.text(TAG.CodeValue);
      const scheme = reader.ascii(TAG.CodingSchemeDesignator);
      const meaning = reader.text(TAG.CodeMeaning);
      return code && scheme ? [{ code, scheme, ...(meaning ? { meaning } : {}) }] : [];
    });
  }

  /** All values of a multi-valued ASCII attribute. */
  asciiValues(tag: string): string[] {
    if (!elementOf(this.dataSet, tag)) return [];
    const count = this.dataSet.numStringValues(tag) ?? 0;
    return Array.from({ length: count }, (_, i) => this.dataSet.string(tag, i)?.trim() ?? '');
  }
}

function issuerOf(item: AttributeReader | undefined, localNamespace?: string): DicomIssuer | undefined {
  const issuer: DicomIssuer = {};
  const local = localNamespace ?? item?.text(TAG.LocalNamespaceEntityID);
  const universal = item?.text(TAG.UniversalEntityID);
  const type = item?.ascii(TAG.UniversalEntityIDType);
  if (local) issuer.localNamespace = local;
  if (universal) issuer.universalEntityId = universal;
  if (universal && type) issuer.universalEntityIdType = type.toUpperCase();
  return Object.keys(issuer).length > 0 ? issuer : undefined;
}

function requiredUid(reader: AttributeReader, tag: string, name: string, fallbackTag?: string): string {
  const value = reader.ascii(tag) ?? (fallbackTag ? reader.ascii(fallbackTag) : undefined);
  const where = `${name} (${tag.slice(1, 5).toUpperCase()},${tag.slice(5).toUpperCase()})`;
  if (!value) {
    // Every object has attributes after these UIDs; a data set whose last one comes before the
    // missing UID was cut, not written without it.
    const last = Object.keys(reader.dataSet.elements).sort().at(-1) ?? '';
    if (last < tag) throw new DicomError('TRUNCATED', `the file ends before its ${where}`);
    throw new DicomError('INVALID', `the data set has no ${where}`);
  }
  if (!isUid(value)) throw new DicomError('INVALID', `${where} is not a valid DICOM UID`);
  return value;
}

function lateralityOf(...values: (string | undefined)[]): 'L' | 'R' | undefined {
  const value = values.find((v) => v === 'L' || v === 'R');
  return value === 'L' || value === 'R' ? value : undefined;
}

function headerOf(
  dataSet: DataSet,
  transferSyntaxUid: string,
  options: ReadDicomHeaderOptions,
): DicomInstanceHeader {
  const plain = new AttributeReader(dataSet, textDecoderFor([]));
  const at = new AttributeReader(dataSet, textDecoderFor(plain.asciiValues(TAG.SpecificCharacterSet)));
  const sopClassUid = requiredUid(at, TAG.SOPClassUID, 'SOP Class UID', TAG.MediaStorageSOPClassUID);
  if (sopClassUid === MEDIA_STORAGE_DIRECTORY_SOP_CLASS)
    throw new DicomError('UNSUPPORTED', 'a DICOMDIR indexes files; send the instances it lists instead');
  const sopInstanceUid = requiredUid(
    at,
    TAG.SOPInstanceUID,
    'SOP Instance UID',
    TAG.MediaStorageSOPInstanceUID,
  );
  const studyInstanceUid = requiredUid(at, TAG.StudyInstanceUID, 'Study Instance UID');
  const seriesInstanceUid = requiredUid(at, TAG.SeriesInstanceUID, 'Series Instance UID');

  const frameAnatomy = at.item(TAG.SharedFunctionalGroupsSequence)?.item(TAG.FrameAnatomySequence);
  const offset =
    fhirOffsetOf(at.ascii(TAG.TimezoneOffsetFromUTC)) ?? fhirOffsetOf(options.defaultTimezoneOffset);
  const studyDate = fhirDateOf(at.ascii(TAG.StudyDate));
  const studyTime = fhirTimeOf(at.ascii(TAG.StudyTime));
  const request = at.item(TAG.RequestAttributesSequence);
  const procedureCodes = at.codes(TAG.ProcedureCodeSequence);
  const modality = at.ascii(TAG.Modality)?.toUpperCase();

  const header: DicomInstanceHeader = {
    transferSyntaxUid,
    sopClassUid,
    sopInstanceUid,
    studyInstanceUid,
    seriesInstanceUid,
    modality: modality && /^[A-Z0-9_ ]{1,16}$/.test(modality) ? modality : modalityOfSopClass(sopClassUid),
    procedureCodes:
      procedureCodes.length > 0
        ? procedureCodes
        : at
            .codes(TAG.RequestedProcedureCodeSequence)
            .concat(request?.codes(TAG.RequestedProcedureCodeSequence) ?? []),
  };
  const optional: Partial<DicomInstanceHeader> = {
    studyId: at.text(TAG.StudyID),
    studyDescription: at.text(TAG.StudyDescription),
    seriesDescription: at.text(TAG.SeriesDescription),
    seriesNumber: at.integer(TAG.SeriesNumber),
    instanceNumber: at.integer(TAG.InstanceNumber),
    numberOfFrames: at.integer(TAG.NumberOfFrames),
    bodyPartExamined: at.text(TAG.BodyPartExamined),
    anatomicRegion: at.code(TAG.AnatomicRegionSequence) ?? frameAnatomy?.code(TAG.AnatomicRegionSequence),
    laterality: lateralityOf(
      at.ascii(TAG.Laterality),
      at.ascii(TAG.ImageLaterality),
      frameAnatomy?.ascii(TAG.FrameLaterality),
    ),
    accessionNumber: at.text(TAG.AccessionNumber) ?? request?.text(TAG.AccessionNumber),
    accessionNumberIssuer: issuerOf(at.item(TAG.IssuerOfAccessionNumberSequence)),
    patientId: at.text(TAG.PatientID),
    patientIdIssuer: issuerOf(
      at.item(TAG.IssuerOfPatientIDQualifiersSequence),
      at.text(TAG.IssuerOfPatientID),
    ),
    studyDate,
    studyTime,
    timezoneOffset: offset,
    studyDateTime: fhirDateTimeOf({ date: studyDate, time: studyTime, offset }),
    seriesDateTime: fhirDateTimeOf({
      date: fhirDateOf(at.ascii(TAG.SeriesDate)),
      time: fhirTimeOf(at.ascii(TAG.SeriesTime)),
      offset,
    }),
    requestedProcedureDescription:
      at.text(TAG.RequestedProcedureDescription) ?? request?.text(TAG.RequestedProcedureDescription),
    title:
      at.code(TAG.ConceptNameCodeSequence)?.meaning ??
      at.text(TAG.RTPlanLabel) ??
      at.text(TAG.StructureSetLabel) ??
      at.text(TAG.ContentLabel),
  };
  for (const [key, value] of Object.entries(optional) as [string, unknown][])
    if (value !== undefined) (header as unknown as Record<string, unknown>)[key] = value;
  return header;
}

/**
 * Reads the header of one DICOM Part-10 file: file meta information and data set up to Pixel Data
 * (7FE0,0010), whose content is never read. Explicit and implicit VR little endian, explicit VR big
 * endian, deflate and every encapsulated (JPEG, JPEG 2000, RLE, …) transfer syntax are read with
 * dicom-parser; enhanced multi-frame, SR, SEG and RT objects are ordinary data sets to it.
 *
 * Throws DicomError (never retriable): TRUNCATED when the file ends early (also inside the skipped
 * pixel data, judged from its declared length or fragment headers), NOT_DICOM without DICM prefix
 * and file meta information, NO_TRANSFER_SYNTAX, UNSUPPORTED (private transfer syntax, DICOMDIR,
 * oversized deflate), INVALID (malformed structure, missing or malformed UIDs). A file without
 * preamble whose file meta information is intact is read (see asPart10File).
 */
export function readDicomHeader(
  bytes: Uint8Array,
  options: ReadDicomHeaderOptions = {},
): DicomInstanceHeader {
  try {
    const file = asPart10File(bytes);
    const meta = readFileMeta(file);
    assertMetaComplete(meta, file);
    const transferSyntaxUid = transferSyntaxOf(meta);
    const dataSet = readDataSet(
      file,
      transferSyntaxUid,
      options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES,
    );
    assertComplete(dataSet);
    return headerOf(dataSet, transferSyntaxUid, options);
  } catch (error) {
    // Whatever a hostile file makes the parser throw (even a stack overflow on absurd nesting) is
    // an answer about this file, not a failure of the service.
    throw readError(error, 'data set');
  }
}
