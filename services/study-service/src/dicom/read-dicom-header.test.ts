import dcmjs from 'dcmjs';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, test } from 'vitest';
import { describeWithFixtures } from '@oncoimg/testing';
import type { DicomErrorCode } from './dicom-error.ts';
import { readDicomHeader } from './read-dicom-header.ts';
import { dicomErrorOf, identity } from './read-dicom-header.fixtures.ts';
import { dicomFixturesDir, readDicomFixture } from './test-dicom-files.fixtures.ts';

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
