import { STATUS_CODES } from 'node:http';
import type { AuditCaller, AuditInteraction, AuditRecordInput } from '@oncoimg/fhir-events';
import type { AuditNote } from '@oncoimg/fhir-http';

/** What the audit middleware saw of one answered request. */
export interface AnsweredRequest {
  method: string;
  /** The URL as the client sent it (path and query). */
  url: string;
  status: number;
  /** The answer's `WWW-Authenticate`, which says why a token or scope was refused. */
  wwwAuthenticate?: string;
  address?: string;
  caller?: AuditCaller & {
    /** The patient the token is restricted to, or its patient claim. */
    patient?: string;
  };
  note: AuditNote;
}

const SEGMENT_PATIENT = /^\/api\/patients\/([^/?]+)\/(?:timeline|exams)(?:[/?]|$)/;

/** The FHIR interaction of a request the route did not describe, from its method and path. */
export function interactionOf(method: string, url: string): AuditInteraction {
  const segments = (url.split('?').at(0) ?? '').split('/').filter(Boolean);
  switch (method.toUpperCase()) {
    case 'POST':
      return segments.length <= 1 ? 'batch' : 'create';
    case 'PUT':
    case 'PATCH':
      return 'update';
    case 'DELETE':
      return 'delete';
    default:
      break;
  }
  if (segments[0] === 'fhir') {
    return ({ 3: 'read', 4: 'history-instance', 5: 'vread' } as const)[segments.length] ?? 'search-type';
  }
  return SEGMENT_PATIENT.test(url) ? 'read' : 'search-type';
}

/** The patient key a URL names: the timeline API's path, or a search's single `patient`/`subject`. */
export function patientOfUrl(url: string): string | undefined {
  const inPath = SEGMENT_PATIENT.exec(url);
  if (inPath) {
    try {
      return decodeURIComponent(inPath[1]);
    } catch {
      return undefined;
    }
  }
  const query = url.split('?').at(1);
  if (!query) {
    return undefined;
  }
  const params = new URLSearchParams(query);
  const values = [...params.getAll('patient'), ...params.getAll('subject')];
  return values.length === 1 && !values[0].includes(',') ? values[0] : undefined;
}

/** `403 Forbidden: missing scope system/ServiceRequest.c`, from the status and WWW-Authenticate. */
export function outcomeDescOf(status: number, wwwAuthenticate: string | undefined): string | undefined {
  if (status < 400) {
    return undefined;
  }
  const base = `${String(status)} ${STATUS_CODES[status] ?? ''}`.trim();
  const header = wwwAuthenticate ?? '';
  const scope = /scope="([^"]*)"/.exec(header)?.[1];
  const description = /error_description="([^"]*)"/.exec(header)?.[1];
  if (scope) {
    return `${base}: missing scope ${scope}`;
  }
  if (description) {
    return `${base}: ${description}`;
  }
  return /^Bearer/i.test(header) ? `${base}: a bearer access token is required` : base;
}

/**
 * The audit records of one answered request: one per noted entry (Bundles), else one for the
 * request. The patient is the route's, else the URL's, else the token's patient context.
 */
export function auditInputsOf(
  answered: AnsweredRequest,
  { observer, recorded, newId }: { observer: string; recorded: Date; newId: () => string },
): AuditRecordInput[] {
  const { note, caller } = answered;
  const patient = note.patient ?? patientOfUrl(answered.url) ?? caller?.patient;
  const who: AuditCaller | undefined = caller && {
    subject: caller.subject,
    clientId: caller.clientId,
    fhirUser: caller.fhirUser,
  };
  const common = { recorded, observer, caller: who, address: answered.address };
  if (note.entries && note.entries.length > 0) {
    return note.entries.map((entry) => ({
      ...common,
      id: newId(),
      interaction: entry.interaction,
      status: entry.status,
      outcomeDesc: outcomeDescOf(entry.status, undefined),
      patient: entry.patient ?? patient,
      what: entry.what,
      query: entry.what ? undefined : `${answered.method} ${answered.url}`,
    }));
  }
  return [
    {
      ...common,
      id: newId(),
      interaction: note.interaction ?? interactionOf(answered.method, answered.url),
      status: answered.status,
      outcomeDesc: outcomeDescOf(answered.status, answered.wwwAuthenticate),
      patient,
      what: answered.status < 400 ? note.what : undefined,
      query: answered.status < 400 && note.what ? undefined : `${answered.method} ${answered.url}`,
    },
  ];
}
