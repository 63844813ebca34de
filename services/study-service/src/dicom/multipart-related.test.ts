import { describeWithFixtures } from '@oncoimg/testing';
import { describe, expect, test } from 'vitest';
import { DicomError, type DicomErrorCode } from './dicom-error.ts';
import { parseMediaType, splitMultipartRelated } from './multipart-related.ts';
import { readDicomHeader } from './read-dicom-header.ts';
import { readDicomFixture } from './test-dicom-files.fixtures.ts';

function multipart(
  boundary: string,
  parts: readonly { headers?: string[]; body: Uint8Array }[],
  { eol = '\r\n', preamble = '', epilogue = '', close = true } = {},
): Buffer {
  const chunks: Buffer[] = [Buffer.from(preamble)];
  for (const [index, part] of parts.entries()) {
    const headers = part.headers ?? ['Content-Type: application/dicom'];
    chunks.push(
      Buffer.from(
        `${index === 0 && !preamble ? '' : eol}--${boundary}${eol}${headers.map((h) => h + eol).join('')}${eol}`,
      ),
    );
    chunks.push(Buffer.from(part.body));
  }
  if (close) {
    chunks.push(Buffer.from(`${eol}--${boundary}--${eol}${epilogue}`));
  }
  return Buffer.concat(chunks);
}

function codeOf(split: () => unknown): DicomErrorCode {
  try {
    split();
  } catch (error) {
    if (error instanceof DicomError) {
      return error.code;
    }
    throw error;
  }
  throw new Error('expected a DicomError');
}

describeWithFixtures('splitMultipartRelated', () => {
  const ct = readDicomFixture('CT_small.dcm');
  const mr = readDicomFixture('MR_small.dcm');

  test('a STOW-RS body with two DICOM parts gives both files byte for byte', () => {
    const body = multipart('DICOMwebBoundary', [{ body: ct }, { body: mr }]);
    const files = splitMultipartRelated(
      body,
      'multipart/related; type="application/dicom"; boundary=DICOMwebBoundary',
    );
    expect(files).toHaveLength(2);
    expect(Buffer.compare(files[0], ct)).toBe(0);
    expect(Buffer.compare(files[1], mr)).toBe(0);
    expect(readDicomHeader(files[1]).modality).toBe('MR');
  });

  test('a quoted boundary with characters a token cannot hold is honoured', () => {
    const boundary = "a:b=c d'(x)?";
    const body = multipart(boundary, [{ body: ct }]);
    const files = splitMultipartRelated(
      body,
      `Multipart/Related; boundary="${boundary}"; type="application/dicom"`,
    );
    expect(Buffer.compare(files[0], ct)).toBe(0);
  });

  test('bare LF line endings, a preamble, an epilogue and padding after the boundary are tolerated', () => {
    const body = Buffer.concat([
      Buffer.from('This is a preamble.\n--b1 \t\nContent-Type: application/dicom\n\n'),
      mr,
      Buffer.from('\n--b1--\nepilogue'),
    ]);
    const files = splitMultipartRelated(body, 'multipart/related; type=application/dicom; boundary=b1');
    expect(Buffer.compare(files[0], mr)).toBe(0);
  });

  test('the line break before a delimiter is not part of the file, and a boundary inside a longer line is content', () => {
    const body = multipart('xyz', [{ body: Buffer.from('DICM\r\n--xyzz not a delimiter\r\nend') }]);
    const [file] = splitMultipartRelated(body, 'multipart/related; boundary=xyz');
    expect(file.toString()).toBe('DICM\r\n--xyzz not a delimiter\r\nend');
  });

  test('a part without Content-Type is the root type; transfer syntax parameters are allowed', () => {
    const body = multipart('b', [
      { headers: [], body: ct },
      { headers: ['content-type: application/dicom; transfer-syntax=1.2.840.10008.1.2.1'], body: mr },
    ]);
    expect(
      splitMultipartRelated(body, 'multipart/related; type="application/dicom"; boundary=b'),
    ).toHaveLength(2);
  });

  test('a base64 part is decoded', () => {
    const body = multipart('b', [
      {
        headers: ['Content-Type: application/dicom', 'Content-Transfer-Encoding: base64'],
        body: Buffer.from(mr.toString('base64')),
      },
    ]);
    const [file] = splitMultipartRelated(body, 'multipart/related; boundary=b');
    expect(Buffer.compare(file, mr)).toBe(0);
  });

  test.each([
    ['no boundary parameter', 'multipart/related; type="application/dicom"', 'INVALID'],
    ['an empty boundary', 'multipart/related; boundary=""', 'INVALID'],
    ['a boundary over 70 characters', `multipart/related; boundary=${'x'.repeat(71)}`, 'INVALID'],
    ['another multipart type', 'multipart/form-data; boundary=b', 'INVALID'],
    [
      'a root type of DICOM JSON',
      'multipart/related; type="application/dicom+json"; boundary=b',
      'UNSUPPORTED',
    ],
    ['an unterminated quoted parameter', 'multipart/related; boundary="b', 'INVALID'],
  ] as const)('%s is refused as %s', (_name, contentType, code) => {
    expect(codeOf(() => splitMultipartRelated(multipart('b', [{ body: ct }]), contentType))).toBe(code);
  });

  test('a part of another media type is UNSUPPORTED and names the part', () => {
    const body = multipart('b', [
      { body: ct },
      { headers: ['Content-Type: application/dicom+json'], body: Buffer.from('[]') },
    ]);
    expect(() =>
      splitMultipartRelated(body, 'multipart/related; type="application/dicom"; boundary=b'),
    ).toThrow(/part 2 is application\/dicom\+json/);
    expect(codeOf(() => splitMultipartRelated(body, 'multipart/related; boundary=b'))).toBe('UNSUPPORTED');
  });

  test('a body cut before its closing boundary is TRUNCATED', () => {
    const body = multipart('b', [{ body: ct }], { close: false });
    expect(codeOf(() => splitMultipartRelated(body, 'multipart/related; boundary=b'))).toBe('TRUNCATED');
  });

  test('a body without the boundary, or with only the closing one, is INVALID', () => {
    expect(codeOf(() => splitMultipartRelated(ct, 'multipart/related; boundary=b'))).toBe('INVALID');
    expect(
      codeOf(() => splitMultipartRelated(Buffer.from('--b--\r\n'), 'multipart/related; boundary=b')),
    ).toBe('INVALID');
  });

  test('a part without a blank line after its headers is INVALID', () => {
    const body = Buffer.from('--b\r\nContent-Type: application/dicom\r\n--b--\r\n');
    expect(codeOf(() => splitMultipartRelated(body, 'multipart/related; boundary=b'))).toBe('INVALID');
  });
});

describe('parseMediaType', () => {
  test('lower-cases type and parameter names and unquotes values with escapes', () => {
    expect(parseMediaType('Multipart/Related ; Boundary="a\\"b" ; type=application/dicom')).toEqual({
      type: 'multipart/related',
      parameters: { boundary: 'a"b', type: 'application/dicom' },
    });
  });

  test('a type without subtype is INVALID', () => {
    expect(codeOf(() => parseMediaType('multipart'))).toBe('INVALID');
  });
});
