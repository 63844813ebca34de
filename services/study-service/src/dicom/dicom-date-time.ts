/**
 * DICOM DA / TM / Timezone Offset From UTC → FHIR date and dateTime. DICOM dates and times are the
 * acquiring site's local time; FHIR requires a zone on any dateTime with a time. So a time is kept
 * only when the zone is known (from the file, or a configured default), else the value is the date.
 */

const DATE = /^(\d{4})(\d{2})(\d{2})$/;
// ACR-NEMA 2.0 wrote dates as YYYY.MM.DD; PS3.5 still asks readers to accept it.
const LEGACY_DATE = /^(\d{4})\.(\d{2})\.(\d{2})$/;
const TIME = /^(\d{2})(?:(\d{2})(?:(\d{2})(?:\.(\d{1,6}))?)?)?$/;
const LEGACY_TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$/;
const OFFSET = /^([+-])(\d{2}):?(\d{2})$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A DA value as `YYYY-MM-DD`; undefined when empty or not a calendar date. */
export function fhirDateOf(value: string | undefined): string | undefined {
  const match = DATE.exec(value?.trim() ?? '') ?? LEGACY_DATE.exec(value?.trim() ?? '');
  if (!match) {
    return undefined;
  }
  const [, y, m, d] = match as unknown as [string, string, string, string];
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return undefined;
  }
  return `${y}-${m}-${d}`;
}

/** A TM value as `HH:MM:SS[.fraction]` (missing minutes and seconds are zero); undefined when invalid. */
export function fhirTimeOf(value: string | undefined): string | undefined {
  const text = value?.trim() ?? '';
  const match = TIME.exec(text) ?? LEGACY_TIME.exec(text);
  if (!match) {
    return undefined;
  }
  const [, hh = '', mm = '00', ss = '00', fraction] = match as (string | undefined)[];
  // Leap second 60 is valid DICOM and valid FHIR.
  if (Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 60) {
    return undefined;
  }
  const digits = fraction?.replace(/0+$/, '');
  return `${hh}:${mm}:${ss}${digits ? `.${digits}` : ''}`;
}

/** A Timezone Offset From UTC value (`+HHMM`) as `+HH:MM`; undefined when invalid. */
export function fhirOffsetOf(value: string | undefined): string | undefined {
  const match = OFFSET.exec(value?.trim() ?? '');
  if (!match) {
    return undefined;
  }
  const [, sign = '+', hh = '', mm = ''] = match;
  const minutes = Number(hh) * 60 + Number(mm);
  if (Number(mm) > 59 || minutes > (sign === '+' ? 14 * 60 : 12 * 60)) {
    return undefined;
  }
  return `${sign}${hh}:${mm}`;
}

/**
 * A FHIR dateTime from DICOM parts: `YYYY-MM-DDThh:mm:ss[.f]±hh:mm` when date, time and zone are
 * known, else `YYYY-MM-DD` when the date is, else undefined.
 */
export function fhirDateTimeOf(parts: {
  date: string | undefined;
  time: string | undefined;
  offset: string | undefined;
}): string | undefined {
  if (!parts.date) {
    return undefined;
  }
  return parts.time && parts.offset ? `${parts.date}T${parts.time}${parts.offset}` : parts.date;
}
