/** The search parameters of `GET /fhir/AuditEvent` (pure). */
import { invalid } from '@oncoimg/fhir-http';

export const DEFAULT_AUDIT_COUNT = 50;
export const MAX_AUDIT_COUNT = 500;
/** Deep paging costs an OFFSET scan; narrow the time range instead. */
export const MAX_AUDIT_OFFSET = 10_000;

export interface AuditSearch {
  patient?: string;
  from?: Date;
  to?: Date;
  count: number;
  offset: number;
}

const KNOWN = new Set(['patient', 'date', '_count', '_offset']);

/** `[start, end)` of a FHIR date or dateTime at its own precision (a day is the whole day). */
function rangeOf(value: string): [Date, Date] | undefined {
  const partial = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(value) as (string | undefined)[] | null;
  if (partial) {
    const [, y, m, d] = partial;
    const [year, month, day] = [Number(y), Number(m ?? '1') - 1, Number(d ?? '1')];
    const start = new Date(Date.UTC(year, month, day));
    const end = d
      ? Date.UTC(year, month, day + 1)
      : m
        ? Date.UTC(year, month + 1, 1)
        : Date.UTC(year + 1, 0, 1);
    return [start, new Date(end)];
  }
  const instant = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(instant)) {
    return undefined;
  }
  return [new Date(instant), new Date(instant + 1)];
}

const latest = (a: Date | undefined, b: Date) => (a && a > b ? a : b);
const earliest = (a: Date | undefined, b: Date) => (a && a < b ? a : b);

function integer(value: unknown, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) {
    return fallback;
  }
  const parsed = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw invalid(`${name} must be an integer from ${String(min)} to ${String(max)}`, name);
  }
  return parsed;
}

/**
 * Reads `patient`, `date` (repeatable, with the prefixes eq, ge, gt, le, lt), `_count` and
 * `_offset`; any other parameter is refused, so a client never mistakes an ignored filter for an
 * applied one.
 */
export function parseAuditSearch(query: Readonly<Record<string, unknown>>): AuditSearch {
  const unknown = Object.keys(query).filter((name) => !KNOWN.has(name));
  if (unknown.length > 0) {
    throw invalid(`unsupported search parameter ${unknown.join(', ')}`, unknown[0]);
  }
  const patient = query.patient;
  if (patient !== undefined && (typeof patient !== 'string' || patient === '')) {
    throw invalid('patient must be one patient key', 'patient');
  }
  const dates = query.date === undefined ? [] : [query.date].flat();
  let from: Date | undefined;
  let to: Date | undefined;
  for (const raw of dates) {
    const match =
      typeof raw === 'string'
        ? (/^(eq|ge|gt|le|lt)?(.+)$/.exec(raw) as [string, string | undefined, string] | null)
        : null;
    const range = match ? rangeOf(match[2]) : undefined;
    if (!match || !range) {
      throw invalid('date must be [eq|ge|gt|le|lt]YYYY[-MM[-DD]] or a dateTime', 'date');
    }
    const [start, end] = range;
    switch (match[1] ?? 'eq') {
      case 'eq':
        from = latest(from, start);
        to = earliest(to, end);
        break;
      case 'ge':
        from = latest(from, start);
        break;
      case 'gt':
        from = latest(from, end);
        break;
      case 'le':
        to = earliest(to, end);
        break;
      default:
        to = earliest(to, start);
    }
  }
  return {
    ...(patient === undefined ? {} : { patient }),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    count: integer(query._count, '_count', 1, MAX_AUDIT_COUNT, DEFAULT_AUDIT_COUNT),
    offset: integer(query._offset, '_offset', 0, MAX_AUDIT_OFFSET, 0),
  };
}
