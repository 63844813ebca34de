import { DicomError } from './dicom-error.ts';

const PREAMBLE_LENGTH = 128;
const PREFIX = 'DICM';
const PREFIX_BYTES = new TextEncoder().encode(PREFIX);
/** Offset of the first file meta element in a well-formed Part-10 file. */
export const META_START = PREAMBLE_LENGTH + PREFIX.length;

function hasPrefixAt(bytes: Uint8Array, offset: number): boolean {
  return PREFIX_BYTES.every((byte, i) => bytes[offset + i] === byte);
}

function isUpperLetter(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x41 && byte <= 0x5a;
}

// A file meta element: group 0002 little endian, then a two-letter VR (the meta is always explicit VR).
function hasMetaElementAt(bytes: Uint8Array, offset: number): boolean {
  return (
    bytes.length >= offset + 8 &&
    bytes[offset] === 0x02 &&
    bytes[offset + 1] === 0x00 &&
    isUpperLetter(bytes[offset + 4]) &&
    isUpperLetter(bytes[offset + 5])
  );
}

function withPreamble(rest: Uint8Array, addPrefix: boolean): Uint8Array {
  const head = PREAMBLE_LENGTH + (addPrefix ? PREFIX.length : 0);
  const file = new Uint8Array(head + rest.length);
  if (addPrefix) {
    file.set(PREFIX_BYTES, PREAMBLE_LENGTH);
  }
  file.set(rest, head);
  return file;
}

/**
 * The bytes of a DICOM Part-10 file with its 128-byte preamble and `DICM` prefix, ready for the
 * parser.
 *
 * Accepted without the preamble (the bytes are copied behind an empty one): a file that starts
 * with `DICM` or directly with its file meta information. The meta states the transfer syntax, so
 * the data set reads exactly as it would with a preamble; some writers and gateways strip it, and
 * refusing such a file would lose a readable study.
 *
 * Refused with NOT_DICOM: anything else, in particular a bare data set without file meta
 * information, whose transfer syntax could only be guessed.
 */
export function asPart10File(bytes: Uint8Array): Uint8Array {
  // A missing body arrives as undefined or {} from a body parser; it is no file either.
  if (!((bytes as unknown) instanceof Uint8Array) || bytes.length === 0) {
    throw new DicomError('NOT_DICOM', 'the body is empty, not a DICOM file');
  }
  if (bytes.length >= META_START && hasPrefixAt(bytes, PREAMBLE_LENGTH)) {
    return bytes;
  }
  if (hasPrefixAt(bytes, 0) && hasMetaElementAt(bytes, PREFIX.length)) {
    return withPreamble(bytes, false);
  }
  if (hasMetaElementAt(bytes, 0)) {
    return withPreamble(bytes, true);
  }
  // A cut inside the (usually empty) preamble or its prefix is a truncated Part-10 file.
  const prefixSoFar = bytes.subarray(PREAMBLE_LENGTH);
  if (
    bytes.length < META_START &&
    bytes.subarray(0, PREAMBLE_LENGTH).every((b) => b === 0) &&
    prefixSoFar.every((b, i) => PREFIX_BYTES[i] === b)
  ) {
    throw new DicomError(
      'TRUNCATED',
      `the file ends after ${String(bytes.length)} bytes, inside the 128-byte preamble and DICM prefix`,
    );
  }
  throw new DicomError(
    'NOT_DICOM',
    'not a DICOM Part-10 file: no DICM prefix at byte 128 and no file meta information (0002,xxxx); ' +
      'a data set without file meta information is refused because its transfer syntax is unknown',
  );
}
