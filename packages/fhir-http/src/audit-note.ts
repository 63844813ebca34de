import type { Bundle, Resource } from '@medplum/fhirtypes';
import { patientKeyOf, type AuditInteraction, type SubjectResource } from '@oncoimg/fhir-events';
import type { Response } from 'express';

/** One audited interaction inside a request: a Bundle entry, one study of a DICOM upload. */
export interface AuditEntryNote {
  interaction: AuditInteraction;
  /** The entry's own HTTP status. */
  status: number;
  patient?: string;
  what?: string;
}

/**
 * What a route knows about the request for the audit trail, which the runtime's audit middleware
 * reads once the answer is sent. Anything left out is derived from the method and path.
 */
export interface AuditNote {
  interaction?: AuditInteraction;
  /** The patient key whose data was read or written. */
  patient?: string;
  /** The resource read or written: `ServiceRequest/1/_history/2`. */
  what?: string;
  /** One record per entry instead of one for the request (batch and transaction Bundles). */
  entries?: AuditEntryNote[];
}

const NOTE_KEY = 'oncoimgAuditNote';
const RECORD_NOW_KEY = 'oncoimgAuditNow';

type Locals = Record<string, unknown>;

/** Adds to this request's audit note (later fields win). */
export function noteAudit(res: Response, note: AuditNote): void {
  const locals = res.locals as Locals;
  locals[NOTE_KEY] = { ...(locals[NOTE_KEY] as AuditNote | undefined), ...note };
}

export function auditNoteOf(res: Response): AuditNote {
  return ((res.locals as Locals)[NOTE_KEY] as AuditNote | undefined) ?? {};
}

/**
 * Records the audit event now rather than when the answer ends: for answers that stay open (the
 * server-sent event stream), whose reading starts with the headers.
 */
export function recordAuditNow(res: Response): void {
  const record = (res.locals as Locals)[RECORD_NOW_KEY] as (() => void) | undefined;
  record?.();
}

/** Used by the audit middleware: what recordAuditNow calls. */
export function onRecordAuditNow(res: Response, record: () => void): void {
  (res.locals as Locals)[RECORD_NOW_KEY] = record;
}

/** The patient key of a resource with a subject, if any. */
export function patientOfResource(resource: Resource | undefined): string | undefined {
  return resource && 'subject' in resource ? patientKeyOf(resource as SubjectResource) : undefined;
}

/** `ServiceRequest/1/_history/2` of a full or relative location. */
export function relativeReference(location: string | undefined): string | undefined {
  const match = location && /([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[^/]+)?)$/.exec(location);
  return match ? match[1] : undefined;
}

const ENTRY_INTERACTION: Record<string, AuditInteraction> = {
  POST: 'create',
  PUT: 'update',
  DELETE: 'delete',
  GET: 'read',
};

interface RequestEntry {
  resource?: Resource;
  request?: { method?: string };
}

/** One audit entry per Bundle entry: its method, its answered status, its patient and resource. */
export function bundleAuditEntries(request: Record<string, unknown>, response: Bundle): AuditEntryNote[] {
  const sent = Array.isArray(request.entry) ? (request.entry as RequestEntry[]) : [];
  return (response.entry ?? []).map((answered, index) => {
    const asked = sent.at(index);
    const resource = asked?.resource ?? answered.resource;
    const status = Number.parseInt(answered.response?.status ?? '', 10);
    return {
      interaction: ENTRY_INTERACTION[asked?.request?.method ?? ''] ?? 'create',
      status: Number.isFinite(status) ? status : 500,
      patient: patientOfResource(resource) ?? patientOfResource(answered.resource),
      what: relativeReference(answered.response?.location),
    };
  });
}
