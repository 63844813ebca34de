import dcmjs from 'dcmjs';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, test } from 'vitest';
import { describeWithFixtures } from '@oncoimg/testing';
import { DicomError, type DicomErrorCode } from './dicom-error.ts';
import type { DicomInstanceHeader } from './dicom-instance-header.ts';
import { readDicomHeader } from './read-dicom-header.ts';
import {
  dataSetOffset,
  DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN,
  dicomFixturesDir,
  enhancedCtDataSet,
  EXPLICIT_VR_BIG_ENDIAN,
  EXPLICIT_VR_LITTLE_ENDIAN,
  firstDataSetGroup,
  IMPLICIT_VR_LITTLE_ENDIAN,
  readDicomFixture,
  reencode,
  rtStructDataSet,
  segmentationDataSet,
  withoutTransferSyntax,
  writeDicom,
} from './test-dicom-files.fixtures.ts';

/**
 * Expected values of every readable fixture. They were read with dcmjs (DicomMessage.readFile, a
 * different parser than the one under test) and checked against pydicom's test-file notes in
 * fixtures/LICENSES: CT_small/MR_small explicit little endian, rtplan implicit, US1_J2KI JPEG 2000.
 */
const FIXTURES: readonly {
  file: string;
  transferSyntaxUid: string;
  modality: string;
  sopClassUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  seriesNumber?: number;
  instanceNumber?: number;
  patientId?: string;
  accessionNumber?: string;
  bodyPartExamined?: string;
  studyDate?: string;
}[] = [
  {
    file: 'CT_small.dcm',
    transferSyntaxUid: '1.2.840.10008.1.2.1',
    modality: 'CT',
    sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
    studyInstanceUid: '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322',
    seriesInstanceUid: '1.3.6.1.4.1.5962.1.3.1.1.20040119072730.12322',
    sopInstanceUid: '1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322',
    seriesNumber: 1,
    instanceNumber: 1,
    patientId: '1CT1',
    studyDate: '2004-01-19',
  },
  {
    file: 'MR_small.dcm',
    transferSyntaxUid: '1.2.840.10008.1.2.1',
    modality: 'MR',
    sopClassUid: '1.2.840.10008.5.1.4.1.1.4',
    studyInstanceUid: '1.3.6.1.4.1.5962.1.2.4.20040826185059.5457',
    seriesInstanceUid: '1.3.6.1.4.1.5962.1.3.4.1.20040826185059.5457',
    sopInstanceUid: '1.3.6.1.4.1.5962.1.1.4.1.1.20040826185059.5457',
    seriesNumber: 1,
    instanceNumber: 1,
    patientId: '4MR1',
    studyDate: '2004-08-26',
  },
  {
    file: 'PT_ACRIN-FLT-Breast_029.dcm',
    transferSyntaxUid: '1.2.840.10008.1.2.1',
    modality: 'PT',
    sopClassUid: '1.2.840.10008.5.1.4.1.1.128',
    studyInstanceUid: '1.3.6.1.4.1.14519.5.2.1.7009.2401.541147157881199293470020980360',
    seriesInstanceUid: '1.3.6.1.4.1.14519.5.2.1.7009.2401.156320467167446933671661793694',
    sopInstanceUid: '1.3.6.1.4.1.14519.5.2.1.7009.2401.264581068966524608390523682945',
    seriesNumber: 102,
    instanceNumber: 60,
    patientId: 'ACRIN-FLT-Breast_029',
    bodyPartExamined: 'BREAST',
    studyDate: '1960-06-14',
  },
  {
    file: 'US1_J2KI.dcm',
    transferSyntaxUid: '1.2.840.10008.1.2.4.91',
    modality: 'US',
    sopClassUid: '1.2.840.10008.5.1.4.1.1.6.1',
    studyInstanceUid: '1.3.6.1.4.1.5962.1.2.13.20040826185059.5457',
    seriesInstanceUid: '1.3.6.1.4.1.5962.1.3.13.1.20040826185059.5457',
    sopInstanceUid: '1.3.6.1.4.1.5962.1.1.13.1.3.20040826185059.5457',
    seriesNumber: 1,
    instanceNumber: 3,
    patientId: '13US1',
    studyDate: '2004-08-26',
  },
  {
    file: 'rtplan.dcm',
    transferSyntaxUid: '1.2.840.10008.1.2',
    modality: 'RTPLAN',
    sopClassUid: '1.2.840.10008.5.1.4.1.1.481.5',
    studyInstanceUid: '1.22.333.4.555555.6.7777777777777777777777777777',
    seriesInstanceUid: '1.2.333.444.55.6.7777.8888',
    sopInstanceUid: '1.2.777.777.77.7.7777.7777.20030903150023',
    seriesNumber: 2,
    patientId: 'id00001',
    studyDate: '2003-07-16',
  },
  {
    file: 'test-SR.dcm',
    transferSyntaxUid: '1.2.840.10008.1.2.1',
    modality: 'SR',
    sopClassUid: '1.2.840.10008.5.1.4.1.1.88.33',
    studyInstanceUid: '1.2.276.0.7230010.3.1.4.2139363186.7819.982086466.2',
    seriesInstanceUid: '1.2.276.0.7230010.3.1.4.2139363186.7819.982086466.3',
    sopInstanceUid: '1.2.276.0.7230010.3.1.4.2139363186.7819.982086466.4',
    seriesNumber: 1,
    instanceNumber: 1,
  },
  ...(
    [
      ['17106', '93', 18],
      ['17136', '94', 180],
      ['17166', '95', 181],
      ['17196', '96', 182],
    ] as const
  ).map(([file, sop, instanceNumber]) => ({
    file: `study-77654033/CT2/${file}.dcm`,
    transferSyntaxUid: '1.2.840.10008.1.2.1',
    modality: 'CT',
    sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
    studyInstanceUid: '1.3.6.1.4.1.5962.1.1.0.0.0.1196530851.28319.0.1',
    seriesInstanceUid: '1.3.6.1.4.1.5962.1.1.0.0.0.1196530851.28319.0.2',
    sopInstanceUid: `1.3.6.1.4.1.5962.1.1.0.0.0.1196530851.28319.0.${sop}`,
    seriesNumber: 2,
    instanceNumber,
    patientId: '77654033',
    accessionNumber: '2',
    bodyPartExamined: 'HEAD',
    studyDate: '1995-09-03',
  })),
  ...(
    [
      ['CR1/6154', '10', '11', 1],
      ['CR2/6247', '6', '7', 2],
      ['CR3/6278', '8', '9', 3],
    ] as const
  ).map(([file, series, sop, seriesNumber]) => ({
    file: `study-77654033/${file}.dcm`,
    transferSyntaxUid: '1.2.840.10008.1.2.1',
    modality: 'CR',
    sopClassUid: '1.2.840.10008.5.1.4.1.1.1',
    studyInstanceUid: '1.3.6.1.4.1.5962.1.1.0.0.0.1196527414.5534.0.1',
    seriesInstanceUid: `1.3.6.1.4.1.5962.1.1.0.0.0.1196527414.5534.0.${series}`,
    sopInstanceUid: `1.3.6.1.4.1.5962.1.1.0.0.0.1196527414.5534.0.${sop}`,
    seriesNumber,
    instanceNumber: 1,
    patientId: '77654033',
    accessionNumber: '2',
    bodyPartExamined: 'CSPINE',
    studyDate: '2001-01-01',
  })),
];

const BROKEN_FIXTURES: readonly { file: string; code: DicomErrorCode }[] = [
  { file: 'invalid/MR_truncated.dcm', code: 'TRUNCATED' },
  { file: 'invalid/no_meta.dcm', code: 'NOT_DICOM' },
];

function dicomErrorOf(read: () => unknown): DicomError {
  try {
    read();
  } catch (error) {
    if (error instanceof DicomError) return error;
    throw new Error(`expected a DicomError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected a DicomError, but the file was read');
}

function identity(header: DicomInstanceHeader) {
  const { studyInstanceUid, seriesInstanceUid, sopInstanceUid, sopClassUid, modality } = header;
  return { studyInstanceUid, seriesInstanceUid, sopInstanceUid, sopClassUid, modality };
}

function listDicomFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.dcm'))
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

describeWithFixtures('readDicomHeader on the shared fixtures', () => {
  test('every .dcm file of the fixtures is checked below, readable or broken', () => {
    const checked = [...FIXTURES.map((f) => f.file), ...BROKEN_FIXTURES.map((f) => f.file)].sort();
    expect(listDicomFiles(dicomFixturesDir())).toEqual(checked);
  });

  test.each(FIXTURES)('$file reads its UIDs, modality and numbers', (expected) => {
    const header = readDicomHeader(readDicomFixture(expected.file));
    expect(header).toMatchObject({
      transferSyntaxUid: expected.transferSyntaxUid,
      modality: expected.modality,
      sopClassUid: expected.sopClassUid,
      studyInstanceUid: expected.studyInstanceUid,
      seriesInstanceUid: expected.seriesInstanceUid,
      sopInstanceUid: expected.sopInstanceUid,
    });
    expect(header.seriesNumber).toBe(expected.seriesNumber);
    expect(header.instanceNumber).toBe(expected.instanceNumber);
    expect(header.patientId).toBe(expected.patientId);
    expect(header.accessionNumber).toBe(expected.accessionNumber);
    expect(header.bodyPartExamined).toBe(expected.bodyPartExamined);
    expect(header.studyDate).toBe(expected.studyDate);
  });

  test.each(FIXTURES)('$file agrees with dcmjs on identity and modality', ({ file }) => {
    const bytes = readDicomFixture(file);
    const dict = dcmjs.data.DicomMessage.readFile(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
      { untilTag: '7FE00010', includeUntilTagValue: false },
    );
    const other = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
    expect(identity(readDicomHeader(bytes))).toEqual({
      studyInstanceUid: other.StudyInstanceUID,
      seriesInstanceUid: other.SeriesInstanceUID,
      sopInstanceUid: other.SOPInstanceUID,
      sopClassUid: other.SOPClassUID,
      modality: other.Modality,
    });
  });

  test.each(BROKEN_FIXTURES)('$file is refused with $code', ({ file, code }) => {
    const error = dicomErrorOf(() => readDicomHeader(readDicomFixture(file)));
    expect(error.code).toBe(code);
    expect(error.retriable).toBe(false);
  });

  test('a CT with a timezone offset gets a study dateTime with its zone', () => {
    const header = readDicomHeader(readDicomFixture('CT_small.dcm'));
    expect(header.studyDateTime).toBe('2004-01-19T07:27:30-05:00');
  });

  test('a study without timezone offset keeps only its date, unless a default zone is configured', () => {
    const bytes = readDicomFixture('PT_ACRIN-FLT-Breast_029.dcm');
    expect(readDicomHeader(bytes).studyDateTime).toBe('1960-06-14');
    expect(readDicomHeader(bytes, { defaultTimezoneOffset: '+01:00' }).studyDateTime).toBe(
      '1960-06-14T14:52:25.546+01:00',
    );
  });

  test('an RT plan and an SR document carry their titles', () => {
    expect(readDicomHeader(readDicomFixture('rtplan.dcm')).title).toBe('Plan1');
    expect(readDicomHeader(readDicomFixture('test-SR.dcm')).title).toBe('Diagnosis');
  });
});

describeWithFixtures('readDicomHeader across transfer syntaxes', () => {
  const mr = readDicomFixture('MR_small.dcm');
  const mrIdentity = identity(readDicomHeader(mr));

  test.each([
    ['implicit VR little endian', IMPLICIT_VR_LITTLE_ENDIAN],
    ['explicit VR big endian', EXPLICIT_VR_BIG_ENDIAN],
    ['deflated explicit VR little endian', DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN],
  ])('MR_small re-encoded as %s reads the same identity', (_name, transferSyntaxUid) => {
    const header = readDicomHeader(reencode(mr, transferSyntaxUid));
    expect(header.transferSyntaxUid).toBe(transferSyntaxUid);
    expect(identity(header)).toEqual(mrIdentity);
    expect(header.seriesNumber).toBe(1);
    expect(header.patientId).toBe('4MR1');
  });

  test('the re-encoded files really are big endian, implicit and deflated', () => {
    // (0008,0005) opens the data set: group 0x0008 read in the file's byte order.
    expect(firstDataSetGroup(reencode(mr, EXPLICIT_VR_BIG_ENDIAN)).bigEndian).toBe(0x0008);
    const implicit = reencode(mr, IMPLICIT_VR_LITTLE_ENDIAN);
    const at = dataSetOffset(implicit);
    expect(String.fromCharCode(implicit[at + 4], implicit[at + 5])).not.toMatch(/^[A-Z]{2}$/);
    expect(firstDataSetGroup(reencode(mr, DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN)).littleEndian).not.toBe(0x0008);
  });

  test('a JPEG 2000 file is read up to its encapsulated pixel data', () => {
    expect(readDicomHeader(readDicomFixture('US1_J2KI.dcm')).transferSyntaxUid).toBe(
      '1.2.840.10008.1.2.4.91',
    );
  });

  test('pixel data content is never interpreted: garbage in it changes nothing', () => {
    const garbled = Uint8Array.from(mr);
    // MR_small's 64×64×16-bit pixel data: the 8192 bytes before its 138 trailing bytes.
    garbled.fill(0xff, mr.length - 138 - 8192, mr.length - 138);
    expect(readDicomHeader(garbled)).toEqual(readDicomHeader(mr));
  });

  test.each([
    ['explicit VR little endian', EXPLICIT_VR_LITTLE_ENDIAN],
    ['implicit VR little endian', IMPLICIT_VR_LITTLE_ENDIAN],
    ['explicit VR big endian', EXPLICIT_VR_BIG_ENDIAN],
    ['deflate', DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN],
  ])('an enhanced multi-frame CT in %s reads frames, anatomy, laterality and issuers', (_name, ts) => {
    const header = readDicomHeader(writeDicom(enhancedCtDataSet(3), ts));
    expect(header).toMatchObject({
      modality: 'CT',
      sopClassUid: '1.2.840.10008.5.1.4.1.1.2.1',
      numberOfFrames: 3,
      anatomicRegion: { code: '39607008', scheme: 'SCT', meaning: 'Lung' },
      laterality: 'R',
      studyDescription: 'CT Thorax – Planung für Strahlentherapie',
      seriesNumber: 3,
      accessionNumber: 'ACC-7001',
      accessionNumberIssuer: {
        localNamespace: 'RIS_A',
        universalEntityId: '1.2.826.0.1.3680043.10.1',
        universalEntityIdType: 'ISO',
      },
      patientId: 'SYN-0042',
      patientIdIssuer: { localNamespace: 'HOSPITAL_A' },
      studyDateTime: '2024-02-05T09:30:15.25+01:00',
      procedureCodes: [{ code: '24627-2', scheme: 'LN', meaning: 'CT Chest' }],
    });
  });

  test('a segmentation (SEG) reads as its own series with its content label', () => {
    expect(readDicomHeader(writeDicom(segmentationDataSet()))).toMatchObject({
      modality: 'SEG',
      sopClassUid: '1.2.840.10008.5.1.4.1.1.66.4',
      numberOfFrames: 1,
      title: 'GTV',
    });
  });

  test('an implicit VR RT structure set reads, and without Modality its SOP class names it', () => {
    const withModality = readDicomHeader(writeDicom(rtStructDataSet(), IMPLICIT_VR_LITTLE_ENDIAN));
    expect(withModality).toMatchObject({ modality: 'RTSTRUCT', title: 'Lung plan' });
    const { Modality: _dropped, ...withoutModality } = rtStructDataSet();
    expect(readDicomHeader(writeDicom(withoutModality)).modality).toBe('RTSTRUCT');
  });

  test('Patient Name is never part of the header', () => {
    const header = readDicomHeader(writeDicom({ ...rtStructDataSet(), PatientName: 'Doe^Jane' }));
    expect(JSON.stringify(header)).not.toContain('Doe');
  });
});

describeWithFixtures('readDicomHeader on broken files', () => {
  const ct = readDicomFixture('CT_small.dcm');

  test.each([
    ['CT_small (explicit VR, native pixel data)', 'CT_small.dcm', undefined],
    ['US1_J2KI (JPEG 2000, encapsulated pixel data)', 'US1_J2KI.dcm', undefined],
    ['PT_ACRIN (explicit VR, PET)', 'PT_ACRIN-FLT-Breast_029.dcm', undefined],
    ['MR_small as implicit VR', 'MR_small.dcm', IMPLICIT_VR_LITTLE_ENDIAN],
    ['MR_small as big endian', 'MR_small.dcm', EXPLICIT_VR_BIG_ENDIAN],
    ['MR_small deflated', 'MR_small.dcm', DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN],
  ])('%s cut anywhere from its DICM prefix to the end of its pixel data is TRUNCATED', (_n, file, ts) => {
    const whole = ts ? reencode(readDicomFixture(file), ts) : readDicomFixture(file);
    // Some files carry up to 138 bytes of trailing elements after their pixel data; the reader
    // stops at the pixel data, so a cut among those goes unseen and is left out here.
    const end = whole.length - 200;
    for (let cut = 132; cut < end; cut += 61) {
      expect(dicomErrorOf(() => readDicomHeader(whole.subarray(0, cut))).code, `cut at ${String(cut)}`).toBe(
        'TRUNCATED',
      );
    }
  });

  test('RT and SR objects cut inside an element are TRUNCATED', () => {
    for (const file of ['rtplan.dcm', 'test-SR.dcm']) {
      const whole = readDicomFixture(file);
      // Cuts inside an element. A cut exactly between two elements of an object without pixel
      // data cannot be told from the end of a shorter object (see README).
      for (const cut of [300, 1000, whole.length - 1]) {
        expect(
          dicomErrorOf(() => readDicomHeader(whole.subarray(0, cut))).code,
          `${file} at ${String(cut)}`,
        ).toBe('TRUNCATED');
      }
    }
  });

  test('a file without preamble but with intact file meta information is read as if it had one', () => {
    const expected = readDicomHeader(ct);
    expect(readDicomHeader(ct.subarray(132))).toEqual(expected);
    expect(readDicomHeader(ct.subarray(128))).toEqual(expected);
  });

  test('a data set without preamble and file meta information is NOT_DICOM', () => {
    expect(dicomErrorOf(() => readDicomHeader(ct.subarray(dataSetOffset(ct)))).code).toBe('NOT_DICOM');
  });

  test.each([
    ['an empty body', new Uint8Array(0)],
    ['a text file', new TextEncoder().encode('{"resourceType":"ImagingStudy"}'.repeat(10))],
    ['a JPEG', Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, ...new Array<number>(200).fill(0)])],
  ])('%s is NOT_DICOM', (_name, bytes) => {
    expect(dicomErrorOf(() => readDicomHeader(bytes)).code).toBe('NOT_DICOM');
  });

  test('a missing body (what a body parser leaves without content) is NOT_DICOM', () => {
    expect(dicomErrorOf(() => readDicomHeader(undefined as unknown as Uint8Array)).code).toBe('NOT_DICOM');
  });

  test('a file meta information without Transfer Syntax UID is NO_TRANSFER_SYNTAX', () => {
    const error = dicomErrorOf(() => readDicomHeader(withoutTransferSyntax(ct)));
    expect(error.code).toBe('NO_TRANSFER_SYNTAX');
    expect(error.message).toContain('(0002,0010)');
  });

  test('a private transfer syntax and a DICOMDIR are UNSUPPORTED', () => {
    const privateSyntax = writeDicom(rtStructDataSet(), '1.2.826.0.1.3680043.10.99.1');
    expect(dicomErrorOf(() => readDicomHeader(privateSyntax)).code).toBe('UNSUPPORTED');
    const dicomdir = writeDicom({ ...rtStructDataSet(), SOPClassUID: '1.2.840.10008.1.3.10' });
    expect(dicomErrorOf(() => readDicomHeader(dicomdir)).code).toBe('UNSUPPORTED');
  });

  test('a missing or malformed Study Instance UID is INVALID', () => {
    const { StudyInstanceUID: _dropped, ...noStudy } = rtStructDataSet();
    const missing = dicomErrorOf(() => readDicomHeader(writeDicom(noStudy)));
    expect(missing.code).toBe('INVALID');
    expect(missing.message).toContain('Study Instance UID (0020,000D)');
    const malformed = writeDicom({ ...rtStructDataSet(), StudyInstanceUID: '1.2.03.4' });
    expect(dicomErrorOf(() => readDicomHeader(malformed)).code).toBe('INVALID');
  });

  test('a deflate bomb beyond the configured bound is UNSUPPORTED, not held in memory', () => {
    const deflated = reencode(readDicomFixture('MR_small.dcm'), DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN);
    expect(dicomErrorOf(() => readDicomHeader(deflated, { maxInflatedBytes: 1024 })).code).toBe(
      'UNSUPPORTED',
    );
  });

  test('thousands of corrupted headers give a DicomError or a header, never anything else', () => {
    // A fixed linear congruential generator: the same corruptions on every run.
    let seed = 20240205;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const sources = [
      ct,
      readDicomFixture('rtplan.dcm'),
      reencode(readDicomFixture('MR_small.dcm'), EXPLICIT_VR_BIG_ENDIAN),
    ];
    let refused = 0;
    for (const source of sources) {
      for (let round = 0; round < 700; round++) {
        const corrupted = Uint8Array.from(source);
        for (let flips = 1 + Math.floor(random() * 4); flips > 0; flips--)
          corrupted[Math.floor(random() * Math.min(corrupted.length, 3000))] = Math.floor(random() * 256);
        try {
          readDicomHeader(corrupted);
        } catch (error) {
          expect(error).toBeInstanceOf(DicomError);
          refused++;
        }
      }
    }
    expect(refused).toBeGreaterThan(0);
  });
});
