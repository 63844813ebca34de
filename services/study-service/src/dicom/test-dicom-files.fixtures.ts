/**
 * DICOM files for the tests: the shared fixtures (read in place) and files written with dcmjs, a
 * library independent of the reader under test, in the encodings the fixtures lack (big endian,
 * deflate, enhanced multi-frame, SEG, RTSTRUCT). Test support only; nothing in production imports it.
 */
import { fixturesDir } from '@oncoimg/testing';
import dcmjs from 'dcmjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import {
  DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN,
  EXPLICIT_VR_BIG_ENDIAN,
  EXPLICIT_VR_LITTLE_ENDIAN,
  IMPLICIT_VR_LITTLE_ENDIAN,
} from './transfer-syntax.ts';

export {
  DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN,
  EXPLICIT_VR_BIG_ENDIAN,
  EXPLICIT_VR_LITTLE_ENDIAN,
  IMPLICIT_VR_LITTLE_ENDIAN,
};

export function dicomFixturesDir(): string {
  return join(fixturesDir(), 'dicom');
}

/** A file of `<fixtures>/dicom/`, e.g. `CT_small.dcm` or `invalid/no_meta.dcm`. */
export function readDicomFixture(name: string): Buffer {
  return readFileSync(join(dicomFixturesDir(), name));
}

function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** Offset of the data set: after preamble, prefix, group length element (12 bytes) and the meta it counts. */
export function dataSetOffset(file: Uint8Array): number {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  return 132 + 12 + view.getUint32(140, true);
}

// dcmjs writes a deflate file's data set uncompressed (explicit VR little endian); this deflates it.
function deflateDataSet(file: Uint8Array): Uint8Array {
  const start = dataSetOffset(file);
  const deflated = deflateRawSync(file.subarray(start));
  const out = new Uint8Array(start + deflated.length);
  out.set(file.subarray(0, start));
  out.set(deflated, start);
  return out;
}

/** A fixture re-encoded by dcmjs in another transfer syntax (pixel data included, as dcmjs writes it). */
export function reencode(file: Uint8Array, transferSyntaxUid: string): Uint8Array {
  const dict = dcmjs.data.DicomMessage.readFile(arrayBufferOf(file));
  dict.meta['00020010'] = { vr: 'UI', Value: [transferSyntaxUid] };
  const written = new Uint8Array(dict.write());
  return transferSyntaxUid === DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN ? deflateDataSet(written) : written;
}

/** A Part-10 file written by dcmjs from a naturalized data set (DICOM keywords as keys). */
export function writeDicom(
  dataset: Record<string, unknown>,
  transferSyntaxUid: string = EXPLICIT_VR_LITTLE_ENDIAN,
): Uint8Array {
  const sopClass = dataset.SOPClassUID as string;
  const sopInstance = dataset.SOPInstanceUID as string;
  const dict = new dcmjs.data.DicomDict({
    '00020001': { vr: 'OB', Value: [new Uint8Array([0, 1]).buffer] },
    '00020002': { vr: 'UI', Value: [sopClass] },
    '00020003': { vr: 'UI', Value: [sopInstance] },
    '00020010': { vr: 'UI', Value: [transferSyntaxUid] },
    '00020012': { vr: 'UI', Value: ['2.25.307788919284432917440424224826373620743'] },
  });
  dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(dataset);
  const written = new Uint8Array(dict.write());
  return transferSyntaxUid === DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN ? deflateDataSet(written) : written;
}

/** The group number of the first data set element as little and big endian would read it. */
export function firstDataSetGroup(file: Uint8Array): { littleEndian: number; bigEndian: number } {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const at = dataSetOffset(file);
  return { littleEndian: view.getUint16(at, true), bigEndian: view.getUint16(at, false) };
}

/** The file with the Transfer Syntax UID element renamed to (0002,0011), which no reader knows. */
export function withoutTransferSyntax(file: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(file);
  const end = dataSetOffset(copy);
  for (let at = 132; at < end - 6; at++) {
    // (0002,0010) UI in explicit VR little endian.
    if (
      copy[at] === 0x02 &&
      copy[at + 1] === 0 &&
      copy[at + 2] === 0x10 &&
      copy[at + 3] === 0 &&
      copy[at + 4] === 0x55 &&
      copy[at + 5] === 0x49
    ) {
      copy[at + 2] = 0x11;
      return copy;
    }
  }
  throw new Error('no Transfer Syntax UID element in the file meta information');
}

const IMAGE_PIXELS = {
  Rows: 2,
  Columns: 2,
  BitsAllocated: 16,
  BitsStored: 16,
  HighBit: 15,
  PixelRepresentation: 0,
  SamplesPerPixel: 1,
  PhotometricInterpretation: 'MONOCHROME2',
};

/** Identity of a synthetic planning CT study (UIDs under 2.25, the UUID-derived root). */
export const SYNTHETIC_STUDY = {
  studyInstanceUid: '2.25.221786592012413404424330366106468573201',
  patientId: 'SYN-0042',
  accessionNumber: 'ACC-7001',
};

/** An Enhanced CT (multi-frame) with anatomy and laterality in its shared functional groups. */
export function enhancedCtDataSet(frames = 3): Record<string, unknown> {
  return {
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.2.1',
    SOPInstanceUID: '2.25.221786592012413404424330366106468573211',
    StudyInstanceUID: SYNTHETIC_STUDY.studyInstanceUid,
    SeriesInstanceUID: '2.25.221786592012413404424330366106468573221',
    Modality: 'CT',
    PatientID: SYNTHETIC_STUDY.patientId,
    IssuerOfPatientID: 'HOSPITAL_A',
    AccessionNumber: SYNTHETIC_STUDY.accessionNumber,
    IssuerOfAccessionNumberSequence: [
      {
        LocalNamespaceEntityID: 'RIS_A',
        UniversalEntityID: '1.2.826.0.1.3680043.10.1',
        UniversalEntityIDType: 'ISO',
      },
    ],
    StudyDate: '20240205',
    StudyTime: '093015.250000',
    TimezoneOffsetFromUTC: '+0100',
    StudyDescription: 'CT Thorax – Planung für Strahlentherapie',
    SeriesDescription: 'Thorax 4D',
    SeriesNumber: '3',
    InstanceNumber: '1',
    ProcedureCodeSequence: [{ CodeValue: '24627-2', CodingSchemeDesignator: 'LN', CodeMeaning: 'CT Chest' }],
    NumberOfFrames: String(frames),
    SharedFunctionalGroupsSequence: [
      {
        FrameAnatomySequence: [
          {
            AnatomicRegionSequence: [
              { CodeValue: '39607008', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Lung' },
            ],
            FrameLaterality: 'R',
          },
        ],
      },
    ],
    PerFrameFunctionalGroupsSequence: Array.from({ length: frames }, (_, i) => ({
      FrameContentSequence: [{ InStackPositionNumber: i + 1 }],
    })),
    ...IMAGE_PIXELS,
    PixelData: [new Uint16Array(4 * frames).fill(0x7fe0).buffer],
    _vrMap: { PixelData: 'OW' },
  };
}

/** A DICOM SEG (binary segmentation, one frame) of the synthetic study. */
export function segmentationDataSet(): Record<string, unknown> {
  return {
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.66.4',
    SOPInstanceUID: '2.25.221786592012413404424330366106468573212',
    StudyInstanceUID: SYNTHETIC_STUDY.studyInstanceUid,
    SeriesInstanceUID: '2.25.221786592012413404424330366106468573222',
    Modality: 'SEG',
    PatientID: SYNTHETIC_STUDY.patientId,
    IssuerOfPatientID: 'HOSPITAL_A',
    SeriesNumber: '300',
    InstanceNumber: '1',
    ContentLabel: 'GTV',
    NumberOfFrames: '1',
    SegmentSequence: [
      {
        SegmentNumber: 1,
        SegmentLabel: 'Tumour',
        SegmentAlgorithmType: 'MANUAL',
        SegmentedPropertyCategoryCodeSequence: [
          {
            CodeValue: '49755003',
            CodingSchemeDesignator: 'SCT',
            CodeMeaning: 'Morphologically Altered Structure',
          },
        ],
      },
    ],
    Rows: 8,
    Columns: 8,
    BitsAllocated: 1,
    BitsStored: 1,
    HighBit: 0,
    PixelRepresentation: 0,
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    PixelData: [new Uint8Array(8).fill(0xff).buffer],
    _vrMap: { PixelData: 'OB' },
  };
}

/** An RT Structure Set of the synthetic study (no pixel data). */
export function rtStructDataSet(): Record<string, unknown> {
  return {
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.481.3',
    SOPInstanceUID: '2.25.221786592012413404424330366106468573213',
    StudyInstanceUID: SYNTHETIC_STUDY.studyInstanceUid,
    SeriesInstanceUID: '2.25.221786592012413404424330366106468573223',
    Modality: 'RTSTRUCT',
    PatientID: SYNTHETIC_STUDY.patientId,
    IssuerOfPatientID: 'HOSPITAL_A',
    SeriesNumber: '400',
    StructureSetLabel: 'Lung plan',
    StructureSetROISequence: [
      {
        ROINumber: 1,
        ROIName: 'GTV',
        ReferencedFrameOfReferenceUID: '2.25.1',
        ROIGenerationAlgorithm: 'MANUAL',
      },
      {
        ROINumber: 2,
        ROIName: 'PTV',
        ReferencedFrameOfReferenceUID: '2.25.1',
        ROIGenerationAlgorithm: 'MANUAL',
      },
    ],
  };
}
