import { textDecoderFor, type TextDecoderLike } from './character-set.ts';
import { DicomError } from './dicom-error.ts';
import { fhirDateOf, fhirDateTimeOf, fhirOffsetOf, fhirTimeOf } from './dicom-date-time.ts';
import type { DicomCode, DicomInstanceHeader, DicomIssuer } from './dicom-instance-header.ts';
import type { DataSet } from './dicom-parser-library.ts';
import { TAG } from './dicom-tags.ts';
import { asPart10File } from './part10-file.ts';
import {
  readError,
  readFileMeta,
  assertMetaComplete,
  transferSyntaxOf,
  readDataSet,
  elementOf,
  assertComplete,
  UNDEFINED_LENGTH,
} from './read-data-set.ts';
import { MEDIA_STORAGE_DIRECTORY_SOP_CLASS, modalityOfSopClass } from './sop-class.ts';
import { isUid } from './transfer-syntax.ts';

/** Largest inflated data set of a deflate file; a bigger one is refused rather than held in memory. */
export const DEFAULT_MAX_INFLATED_BYTES = 256 * 1_048_576;

export interface ReadDicomHeaderOptions {
  /**
   * Zone (`±hh:mm`) of files that carry no Timezone Offset From UTC (0008,0201), e.g. the zone of
   * the sending site. Without it such files give a study date without time (FHIR needs a zone).
   */
  defaultTimezoneOffset?: string;
  /** Upper bound of an inflated deflate data set; default DEFAULT_MAX_INFLATED_BYTES. */
  maxInflatedBytes?: number;
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
    if (!element || element.length === 0 || element.length === UNDEFINED_LENGTH) {
      return undefined;
    }
    return this.dataSet.string(tag)?.trim() || undefined;
  }

  /** A text value (SH, LO, ST, LT) decoded with the Specific Character Set: first value, trimmed. */
  text(tag: string): string | undefined {
    const element = elementOf(this.dataSet, tag);
    if (!element || element.length === 0 || element.length === UNDEFINED_LENGTH) {
      return undefined;
    }
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
    if (!item || !code || !scheme) {
      return undefined;
    }
    const meaning = item.text(TAG.CodeMeaning);
    return { code, scheme, ...(meaning ? { meaning } : {}) };
  }

  /** All codes of a code sequence. */
  codes(tag: string): DicomCode[] {
    const items = elementOf(this.dataSet, tag)?.items ?? [];
    return items.flatMap((item) => {
      if (!item.dataSet) {
        return [];
      }
      const reader = new AttributeReader(item.dataSet, this.decoder);
      const code = reader.text(TAG.CodeValue);
      const scheme = reader.ascii(TAG.CodingSchemeDesignator);
      const meaning = reader.text(TAG.CodeMeaning);
      return code && scheme ? [{ code, scheme, ...(meaning ? { meaning } : {}) }] : [];
    });
  }

  /** All values of a multi-valued ASCII attribute. */
  asciiValues(tag: string): string[] {
    if (!elementOf(this.dataSet, tag)) {
      return [];
    }
    const count = this.dataSet.numStringValues(tag) ?? 0;
    return Array.from({ length: count }, (_, i) => this.dataSet.string(tag, i)?.trim() ?? '');
  }
}

function issuerOf(item: AttributeReader | undefined, localNamespace?: string): DicomIssuer | undefined {
  const issuer: DicomIssuer = {};
  const local = localNamespace ?? item?.text(TAG.LocalNamespaceEntityID);
  const universal = item?.text(TAG.UniversalEntityID);
  const type = item?.ascii(TAG.UniversalEntityIDType);
  if (local) {
    issuer.localNamespace = local;
  }
  if (universal) {
    issuer.universalEntityId = universal;
  }
  if (universal && type) {
    issuer.universalEntityIdType = type.toUpperCase();
  }
  return Object.keys(issuer).length > 0 ? issuer : undefined;
}

function requiredUid(reader: AttributeReader, tag: string, name: string, fallbackTag?: string): string {
  const value = reader.ascii(tag) ?? (fallbackTag ? reader.ascii(fallbackTag) : undefined);
  const where = `${name} (${tag.slice(1, 5).toUpperCase()},${tag.slice(5).toUpperCase()})`;
  if (!value) {
    // Every object has attributes after these UIDs; a data set whose last one comes before the
    // missing UID was cut, not written without it.
    const last = Object.keys(reader.dataSet.elements).sort().at(-1) ?? '';
    if (last < tag) {
      throw new DicomError('TRUNCATED', `the file ends before its ${where}`);
    }
    throw new DicomError('INVALID', `the data set has no ${where}`);
  }
  if (!isUid(value)) {
    throw new DicomError('INVALID', `${where} is not a valid DICOM UID`);
  }
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
  if (sopClassUid === MEDIA_STORAGE_DIRECTORY_SOP_CLASS) {
    throw new DicomError('UNSUPPORTED', 'a DICOMDIR indexes files; send the instances it lists instead');
  }
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
  for (const [key, value] of Object.entries(optional) as [string, unknown][]) {
    if (value !== undefined) {
      (header as unknown as Record<string, unknown>)[key] = value;
    }
  }
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
