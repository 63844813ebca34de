import { DicomError } from './dicom-error.ts';

export const DICOM_MEDIA_TYPE = 'application/dicom';

/** A media type with its parameters (names lower-case, quoted values unquoted). */
export interface MediaType {
  type: string;
  parameters: Record<string, string>;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Parses a Content-Type value (RFC 9110 §8.3.1): `type/subtype *( ";" name=value )`, values as
 * tokens or quoted strings with backslash escapes. Throws DicomError INVALID when malformed.
 */
export function parseMediaType(value: string): MediaType {
  const text = value.trim();
  const semicolon = text.indexOf(';');
  const type = (semicolon === -1 ? text : text.slice(0, semicolon)).trim().toLowerCase();
  const [main, sub, ...more] = type.split('/');
  if (!main || !sub || more.length > 0 || !TOKEN.test(main) || !TOKEN.test(sub)) {
    throw new DicomError('INVALID', `malformed Content-Type ${JSON.stringify(value)}`);
  }
  const parameters: Record<string, string> = {};
  let i = semicolon === -1 ? text.length : semicolon;
  while (i < text.length) {
    // At a ';': skip it and whitespace, read name=value.
    i++;
    while (text[i] === ' ' || text[i] === '\t') {
      i++;
    }
    if (i >= text.length) {
      break;
    }
    const equals = text.indexOf('=', i);
    if (equals === -1) {
      throw new DicomError('INVALID', `malformed Content-Type parameter in ${JSON.stringify(value)}`);
    }
    const name = text.slice(i, equals).trim().toLowerCase();
    if (!TOKEN.test(name)) {
      throw new DicomError('INVALID', `malformed Content-Type parameter in ${JSON.stringify(value)}`);
    }
    i = equals + 1;
    let parameter = '';
    if (text[i] === '"') {
      i++;
      for (; i < text.length && text[i] !== '"'; i++) {
        parameter += text[i] === '\\' ? (text[++i] ?? '') : text[i];
      }
      if (text[i] !== '"') {
        throw new DicomError('INVALID', `unterminated quoted string in ${JSON.stringify(value)}`);
      }
      i++;
      while (i < text.length && text[i] !== ';') {
        if (text[i] !== ' ' && text[i] !== '\t') {
          throw new DicomError('INVALID', `malformed Content-Type parameter in ${JSON.stringify(value)}`);
        }
        i++;
      }
    } else {
      const end = text.indexOf(';', i);
      parameter = text.slice(i, end === -1 ? text.length : end).trim();
      i = end === -1 ? text.length : end;
    }
    // The first occurrence wins, as in most MIME parsers.
    if (!(name in parameters)) {
      parameters[name] = parameter;
    }
  }
  return { type, parameters };
}

const CR = 0x0d;
const LF = 0x0a;
const DASH = 0x2d;

function isWhitespace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09;
}

interface Delimiter {
  /** Where the content before this delimiter ends (its line break excluded). */
  contentEnd: number;
  /** Where the next part begins (after the delimiter line). */
  next: number;
  closing: boolean;
}

/** Finds the next `--boundary` line at or after `from` that starts the body or a line. */
function nextDelimiter(body: Buffer, dashBoundary: Buffer, from: number): Delimiter | undefined {
  for (let at = body.indexOf(dashBoundary, from); at !== -1; at = body.indexOf(dashBoundary, at + 1)) {
    if (at !== 0 && body[at - 1] !== LF) {
      continue;
    }
    let next = at + dashBoundary.length;
    const closing = body[next] === DASH && body[next + 1] === DASH;
    if (closing) {
      next += 2;
    }
    while (isWhitespace(body[next])) {
      next++;
    }
    if (body[next] === CR && body[next + 1] === LF) {
      next += 2;
    } else if (body[next] === LF) {
      next += 1;
    } else if (next < body.length) {
      continue;
    } // "--boundaryX": a longer line, not this delimiter
    const contentEnd = at === 0 ? 0 : body[at - 2] === CR ? at - 2 : at - 1;
    return { contentEnd, next, closing };
  }
  return undefined;
}

interface Part {
  headers: Record<string, string>;
  content: Buffer;
}

function headerBlockEnd(part: Buffer): { headersEnd: number; contentStart: number } {
  if (part[0] === CR && part[1] === LF) {
    return { headersEnd: 0, contentStart: 2 };
  }
  if (part[0] === LF) {
    return { headersEnd: 0, contentStart: 1 };
  }
  const crlf = part.indexOf('\r\n\r\n');
  const lf = part.indexOf('\n\n');
  if (crlf !== -1 && (lf === -1 || crlf < lf)) {
    return { headersEnd: crlf, contentStart: crlf + 4 };
  }
  if (lf !== -1) {
    return { headersEnd: lf, contentStart: lf + 2 };
  }
  return { headersEnd: -1, contentStart: -1 };
}

function parsePart(part: Buffer, index: number): Part {
  const { headersEnd, contentStart } = headerBlockEnd(part);
  if (headersEnd === -1) {
    throw new DicomError(
      'INVALID',
      `part ${String(index + 1)} has no blank line between its headers and content`,
    );
  }
  const headers: Record<string, string> = {};
  // Header lines are ASCII (RFC 2046); folded lines continue with whitespace.
  const lines = part.subarray(0, headersEnd).toString('latin1').split(/\r?\n/);
  let last: string | undefined;
  for (const line of lines) {
    if (!line) {
      continue;
    }
    if (last && isWhitespace(line.charCodeAt(0))) {
      headers[last] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      throw new DicomError('INVALID', `part ${String(index + 1)} has a malformed header line`);
    }
    last = line.slice(0, colon).trim().toLowerCase();
    headers[last] = line.slice(colon + 1).trim();
  }
  return { headers, content: part.subarray(contentStart) };
}

function contentOf(part: Part, index: number, defaultType: string): Buffer {
  const declared = part.headers['content-type'];
  const type = declared ? parseMediaType(declared).type : defaultType;
  if (type !== DICOM_MEDIA_TYPE) {
    throw new DicomError(
      'UNSUPPORTED',
      `part ${String(index + 1)} is ${type}; this endpoint takes ${DICOM_MEDIA_TYPE} parts only`,
    );
  }
  const encoding = (part.headers['content-transfer-encoding'] ?? 'binary').toLowerCase();
  if (encoding === 'binary' || encoding === '8bit' || encoding === '7bit') {
    return part.content;
  }
  if (encoding === 'base64') {
    return Buffer.from(part.content.toString('latin1'), 'base64');
  }
  throw new DicomError('UNSUPPORTED', `part ${String(index + 1)} has Content-Transfer-Encoding ${encoding}`);
}

/**
 * Splits a `multipart/related; type="application/dicom"; boundary=…` body (RFC 2387, as DICOMweb
 * STOW-RS sends it) into the DICOM files of its parts, without copying them.
 *
 * The boundary may be quoted or not; delimiters may end with CRLF or bare LF (the line break
 * before a delimiter belongs to it, not to the file). A part without Content-Type is taken as the
 * root `type`, else application/dicom. Content-Transfer-Encoding binary (default) and base64 are
 * read. Throws DicomError: INVALID for a non-multipart/related type, a missing or malformed
 * boundary, no parts or malformed part headers; UNSUPPORTED for a root `type` or part of another
 * media type (e.g. application/dicom+json) or another transfer encoding; TRUNCATED when the
 * closing delimiter is missing.
 */
export function splitMultipartRelated(body: Buffer, contentType: string): Buffer[] {
  const { type, parameters } = parseMediaType(contentType);
  if (type !== 'multipart/related') {
    throw new DicomError('INVALID', `expected multipart/related, got ${type}`);
  }
  const rootType = parameters.type ? parseMediaType(parameters.type).type : DICOM_MEDIA_TYPE;
  if (rootType !== DICOM_MEDIA_TYPE) {
    throw new DicomError(
      'UNSUPPORTED',
      `multipart/related of ${rootType}; this endpoint takes type="${DICOM_MEDIA_TYPE}"`,
    );
  }
  const boundary = parameters.boundary;
  if (!boundary) {
    throw new DicomError('INVALID', 'multipart/related needs a boundary parameter');
  }
  // RFC 2046 §5.1.1: 1 to 70 characters, not ending in a space.
  if (boundary.length > 70 || boundary.endsWith(' ')) {
    throw new DicomError(
      'INVALID',
      'the multipart boundary must be 1 to 70 characters, not ending in a space',
    );
  }

  const dashBoundary = Buffer.from(`--${boundary}`, 'latin1');
  const first = nextDelimiter(body, dashBoundary, 0);
  if (!first) {
    throw new DicomError('INVALID', 'the body does not contain the multipart boundary');
  }
  const files: Buffer[] = [];
  let delimiter = first;
  while (!delimiter.closing) {
    const following = nextDelimiter(body, dashBoundary, delimiter.next);
    if (!following) {
      throw new DicomError('TRUNCATED', 'the multipart body ends without its closing boundary');
    }
    const index = files.length;
    files.push(
      contentOf(parsePart(body.subarray(delimiter.next, following.contentEnd), index), index, rootType),
    );
    delimiter = following;
  }
  if (files.length === 0) {
    throw new DicomError('INVALID', 'the multipart body has no parts');
  }
  return files;
}
