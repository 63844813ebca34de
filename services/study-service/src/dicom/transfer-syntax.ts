/** Transfer syntaxes whose data set encoding differs from explicit VR little endian. */
export const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
export const DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1.99';
export const EXPLICIT_VR_BIG_ENDIAN = '1.2.840.10008.1.2.2';

/** Every standard transfer syntax UID starts here (PS3.5 Annex A, PS3.6 Annex A). */
const STANDARD_ROOT = '1.2.840.10008.1.2';

// JPIP Referenced Deflate deflates the data set like 1.2.840.10008.1.2.1.99 but the library only
// inflates the latter; refusing it is honest, guessing is not.
const UNREADABLE_STANDARD: ReadonlySet<string> = new Set(['1.2.840.10008.1.2.4.95']);

/** A DICOM UID: dot-separated numbers without leading zeros, at most 64 characters (PS3.5 §9.1). */
export const UID_PATTERN = /^(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*))+$/;

export function isUid(value: string | undefined): value is string {
  return value !== undefined && value.length <= 64 && UID_PATTERN.test(value);
}

/**
 * Whether the data set of a file in this transfer syntax can be read. Every standard transfer
 * syntax other than implicit VR little endian, explicit VR big endian and deflate encodes its data
 * set as explicit VR little endian (only the pixel data is compressed), so JPEG, JPEG 2000, RLE,
 * HTJ2K, MPEG and the like are read as such. Private transfer syntaxes are refused: their data set
 * encoding is unknown.
 */
export function transferSyntaxProblem(uid: string): string | undefined {
  if (!uid.startsWith(STANDARD_ROOT) || (uid !== STANDARD_ROOT && uid[STANDARD_ROOT.length] !== '.')) {
    return `private transfer syntax ${uid}: its data set encoding is unknown`;
  }
  if (UNREADABLE_STANDARD.has(uid)) {
    return `transfer syntax ${uid} (JPIP referenced deflate) is not supported`;
  }
  return undefined;
}
