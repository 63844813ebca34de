import { expect, test } from 'vitest';
import { describeWithFixtures } from '@oncoimg/testing';
import { readDicomHeader } from './read-dicom-header.ts';
import { identity } from './read-dicom-header.fixtures.ts';
import {
  dataSetOffset,
  DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN,
  enhancedCtDataSet,
  EXPLICIT_VR_BIG_ENDIAN,
  EXPLICIT_VR_LITTLE_ENDIAN,
  firstDataSetGroup,
  IMPLICIT_VR_LITTLE_ENDIAN,
  readDicomFixture,
  reencode,
  rtStructDataSet,
  segmentationDataSet,
  writeDicom,
} from './test-dicom-files.fixtures.ts';

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
