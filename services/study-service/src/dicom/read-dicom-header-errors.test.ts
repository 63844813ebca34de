import { expect, test } from 'vitest';
import { describeWithFixtures } from '@oncoimg/testing';
import { DicomError } from './dicom-error.ts';
import { readDicomHeader } from './read-dicom-header.ts';
import { dicomErrorOf } from './read-dicom-header.fixtures.ts';
import {
  dataSetOffset,
  DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN,
  EXPLICIT_VR_BIG_ENDIAN,
  IMPLICIT_VR_LITTLE_ENDIAN,
  readDicomFixture,
  reencode,
  rtStructDataSet,
  withoutTransferSyntax,
  writeDicom,
} from './test-dicom-files.fixtures.ts';

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
        for (let flips = 1 + Math.floor(random() * 4); flips > 0; flips--) {
          corrupted[Math.floor(random() * Math.min(corrupted.length, 3000))] = Math.floor(random() * 256);
        }
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
