import type { DiagnosticReport, ImagingStudy, ServiceRequest } from '@medplum/fhirtypes';

export const EXAM_DATE_SOURCES = [
  'study-started',
  'report-effective',
  'report-issued',
  'order-occurrence',
  'order-authored',
] as const;
export type ExamDateSource = (typeof EXAM_DATE_SOURCES)[number];

export interface ExamDate {
  /** The FHIR dateTime as the source wrote it. */
  date: string;
  source: ExamDateSource;
  /** Milliseconds since the epoch, for ordering. */
  instant: number;
}

// FHIR allows partial dates (2013, 2013-05); they stand for their first instant.
const PARTIAL_DATE = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/;

// Month and day are optional groups: undefined at run time when absent, whatever the type says.
function dayOf(match: RegExpExecArray): number {
  const [, year, month = '1', day = '1'] = match;
  return Date.UTC(Number(year), Number(month) - 1, Number(day));
}

/** Milliseconds since the epoch of a FHIR date or dateTime; null when it cannot be read. */
export function instantOf(value: string | undefined): number | null {
  if (!value) {
    return null;
  }
  const partial = PARTIAL_DATE.exec(value);
  if (partial) {
    return dayOf(partial);
  }
  const instant = Date.parse(value);
  return Number.isNaN(instant) ? null : instant;
}

/**
 * Whole calendar days from one FHIR dateTime to another, each read as the calendar date written
 * in it (its own time zone): a follow-up on the morning of 6 May is 91 days after a baseline on
 * the afternoon of 5 February 2024, as a clinician counts.
 */
export function daysBetween(from: string, to: string): number | null {
  const start = PARTIAL_DATE.exec(from.slice(0, 10));
  const end = PARTIAL_DATE.exec(to.slice(0, 10));
  if (!start || !end) {
    return null;
  }
  return Math.round((dayOf(end) - dayOf(start)) / 86_400_000);
}

function dated(date: string | undefined, source: ExamDateSource): ExamDate | undefined {
  const instant = instantOf(date);
  return date && instant !== null ? { date, source, instant } : undefined;
}

function earliest(dates: (ExamDate | undefined)[]): ExamDate | undefined {
  let best: ExamDate | undefined;
  for (const date of dates) {
    if (date && (!best || date.instant < best.instant)) {
      best = date;
    }
  }
  return best;
}

/**
 * When an exam happened: the study's start, else the report's clinically relevant time (then its
 * issue time), else the order's planned occurrence (then its authoring time).
 */
export function examDateOf({
  order,
  study,
  reports,
}: {
  order: ServiceRequest | null;
  study: ImagingStudy | null;
  reports: readonly DiagnosticReport[];
}): ExamDate | null {
  return (
    dated(study?.started, 'study-started') ??
    earliest(
      reports.map((r) => dated(r.effectiveDateTime ?? r.effectivePeriod?.start, 'report-effective')),
    ) ??
    earliest(reports.map((r) => dated(r.issued, 'report-issued'))) ??
    dated(order?.occurrenceDateTime ?? order?.occurrencePeriod?.start, 'order-occurrence') ??
    dated(order?.authoredOn, 'order-authored') ??
    null
  );
}
