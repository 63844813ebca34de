/**
 * FHIR R4 AuditEvents of the REST interactions the services answer, aligned with IHE Basic Audit
 * Log Patterns (BALP): `type` rest, `subtype` the FHIR interaction, `action` C/R/U/D/E, the outcome
 * of the HTTP status, the user and the client as agents (the one that asked is the requestor), the
 * service as source, the patient and the resource or query as entities. Pure: the caller gives
 * the id and the time.
 */
import type { AuditEvent, AuditEventAgent, AuditEventEntity, Coding, Reference } from '@medplum/fhirtypes';
import { buildCloudEventHeaders, FHIR_JSON } from './cloudevents.ts';
import { FhirEventsError } from './errors.ts';

/** The FHIR restful interactions the services audit (http://hl7.org/fhir/restful-interaction). */
export const AUDIT_INTERACTIONS = [
  'create',
  'update',
  'delete',
  'read',
  'vread',
  'history-instance',
  'search-type',
  'batch',
  'transaction',
] as const;
export type AuditInteraction = (typeof AUDIT_INTERACTIONS)[number];

const RESTFUL_INTERACTION = 'http://hl7.org/fhir/restful-interaction';
const AUDIT_EVENT_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-event-type';
const DICOM = 'http://dicom.nema.org/resources/ontology/DCM';
const PARTICIPATION_TYPE = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';
const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
const SOURCE_TYPE = 'http://terminology.hl7.org/CodeSystem/security-source-type';
/** Where the `client_id` of an OAuth client lives (RFC 6749 has no URI for it). */
export const OAUTH_CLIENT_ID_SYSTEM = 'urn:ietf:params:oauth:client-id';
/** Where a token's `sub` lives when the provider sends no `fhirUser`. */
export const OAUTH_SUBJECT_SYSTEM = 'urn:ietf:params:oauth:jwt-claim:sub';

const ACTION: Record<AuditInteraction, NonNullable<AuditEvent['action']>> = {
  create: 'C',
  update: 'U',
  delete: 'D',
  read: 'R',
  vread: 'R',
  'history-instance': 'R',
  'search-type': 'E',
  batch: 'E',
  transaction: 'E',
};

/** Who asked, as the verified token says; undefined when there was no valid token. */
export interface AuditCaller {
  subject?: string;
  clientId?: string;
  /** `fhirUser` (`Practitioner/…`) when the provider sends it. */
  fhirUser?: string;
}

export interface AuditRecordInput {
  id: string;
  recorded: Date;
  interaction: AuditInteraction;
  /** The HTTP status answered (or, for a Bundle entry, the entry's). */
  status: number;
  /** Why it failed, for the outcome's text: a reason code or the refused scope, never patient data. */
  outcomeDesc?: string;
  caller?: AuditCaller;
  /** The client's network address. */
  address?: string;
  /** The service that answered: `oncoimg/order-service`. */
  observer: string;
  /** The patient key (`system|value` or `Patient/{id}`) whose data was read or written. */
  patient?: string;
  /** The resource read or written: `ServiceRequest/1/_history/2`. */
  what?: string;
  /** The query, for searches and the timeline API: `GET /api/patients/…/timeline`. */
  query?: string;
}

/** BALP's outcome: 0 success, 4 minor failure (the client's: 4xx), 8 serious failure (ours: 5xx). */
export function auditOutcomeOf(status: number): '0' | '4' | '8' {
  if (status < 400) {
    return '0';
  }
  return status < 500 ? '4' : '8';
}

const coding = (system: string, code: string, display: string): Coding => ({ system, code, display });

/** A patient key as a Reference: `Patient/7` literally, `system|value` as a logical identifier. */
export function patientReferenceOf(patientKey: string): Reference {
  const bar = patientKey.indexOf('|');
  if (bar < 0) {
    return { reference: patientKey, type: 'Patient' };
  }
  return {
    type: 'Patient',
    identifier: { system: patientKey.slice(0, bar), value: patientKey.slice(bar + 1) },
  };
}

/** The patient key an AuditEvent names (see patientReferenceOf), or undefined. */
export function patientKeyOfAuditEvent(event: AuditEvent): string | undefined {
  const entity = event.entity?.find((e) => e.role?.code === '1' && e.role.system === OBJECT_ROLE);
  const what = entity?.what;
  if (what?.identifier?.system && what.identifier.value) {
    return `${what.identifier.system}|${what.identifier.value}`;
  }
  return what?.reference?.startsWith('Patient/') ? what.reference : undefined;
}

function agentsOf(caller: AuditCaller | undefined, address: string | undefined): AuditEventAgent[] {
  const network: AuditEventAgent['network'] = address ? { address, type: '2' } : undefined;
  const clientRole = [{ coding: [coding(DICOM, '110153', 'Source Role ID')] }];
  if (!caller || (caller.subject === undefined && caller.clientId === undefined)) {
    return [
      { type: { coding: clientRole[0].coding }, who: { display: 'unknown' }, requestor: true, network },
    ];
  }
  const client: AuditEventAgent | undefined = caller.clientId
    ? {
        type: { coding: clientRole[0].coding },
        who: { identifier: { system: OAUTH_CLIENT_ID_SYSTEM, value: caller.clientId } },
        requestor: false,
        network,
      }
    : undefined;
  // Client credentials: the token's subject is the client itself, which then is the requestor.
  const isPerson = caller.subject !== undefined && caller.subject !== caller.clientId;
  if (!isPerson) {
    return client ? [{ ...client, requestor: true }] : [];
  }
  const user: AuditEventAgent = {
    type: { coding: [coding(PARTICIPATION_TYPE, 'IRCP', 'information recipient')] },
    who: caller.fhirUser
      ? { reference: caller.fhirUser, identifier: { system: OAUTH_SUBJECT_SYSTEM, value: caller.subject } }
      : { identifier: { system: OAUTH_SUBJECT_SYSTEM, value: caller.subject } },
    requestor: true,
    ...(client ? {} : { network }),
  };
  return client ? [user, client] : [user];
}

function entitiesOf(input: AuditRecordInput): AuditEventEntity[] {
  const entities: AuditEventEntity[] = [];
  if (input.patient) {
    entities.push({
      what: patientReferenceOf(input.patient),
      type: coding(ENTITY_TYPE, '1', 'Person'),
      role: coding(OBJECT_ROLE, '1', 'Patient'),
    });
  }
  if (input.what) {
    entities.push({
      what: { reference: input.what },
      type: coding(ENTITY_TYPE, '2', 'System Object'),
      role: coding(OBJECT_ROLE, '4', 'Domain Resource'),
    });
  } else if (input.query) {
    entities.push({
      type: coding(ENTITY_TYPE, '2', 'System Object'),
      role: coding(OBJECT_ROLE, '24', 'Query'),
      query: Buffer.from(input.query, 'utf8').toString('base64'),
    });
  }
  return entities;
}

/** The AuditEvent of one answered interaction (see the module comment). */
export function buildAuditEvent(input: AuditRecordInput): AuditEvent {
  const outcome = auditOutcomeOf(input.status);
  const entity = entitiesOf(input);
  return {
    resourceType: 'AuditEvent',
    id: input.id,
    type: coding(AUDIT_EVENT_TYPE, 'rest', 'Restful Operation'),
    subtype: [{ system: RESTFUL_INTERACTION, code: input.interaction }],
    action: ACTION[input.interaction],
    recorded: input.recorded.toISOString(),
    outcome,
    ...(outcome === '0' && !input.outcomeDesc
      ? {}
      : { outcomeDesc: input.outcomeDesc ?? String(input.status) }),
    agent: agentsOf(input.caller, input.address),
    source: {
      observer: { display: input.observer },
      type: [coding(SOURCE_TYPE, '4', 'Application Server')],
    },
    ...(entity.length > 0 ? { entity } : {}),
  };
}

export const AUDIT_EVENT_TYPE_CE = 'imaging.audit.recorded';

/**
 * The Kafka message of an AuditEvent on `imaging.audit.v1`: keyed by the patient key (one
 * patient's trail in one partition, in order), `''` when no patient is concerned; binary-mode
 * CloudEvents headers with `ce_subject` `AuditEvent/{id}`.
 */
export function auditMessageOf(
  event: AuditEvent,
  source: string,
): { key: string; value: string; headers: Record<string, string> } {
  return {
    key: patientKeyOfAuditEvent(event) ?? '',
    value: JSON.stringify(event),
    headers: buildCloudEventHeaders({
      specversion: '1.0',
      id: event.id ?? '',
      source,
      type: AUDIT_EVENT_TYPE_CE,
      subject: `AuditEvent/${event.id ?? ''}`,
      time: event.recorded,
      datacontenttype: FHIR_JSON,
    }),
  };
}

/** The AuditEvent of an `imaging.audit.v1` message; INVALID_PAYLOAD (permanent) when it is not one. */
export function decodeAuditEvent(value: Buffer | string | null): AuditEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value === null ? '' : value.toString());
  } catch (error) {
    throw new FhirEventsError('INVALID_PAYLOAD', 'audit message is not JSON', { cause: error });
  }
  const event = parsed as Partial<AuditEvent> | null;
  if (
    event?.resourceType !== 'AuditEvent' ||
    typeof event.id !== 'string' ||
    event.id === '' ||
    typeof event.recorded !== 'string' ||
    Number.isNaN(Date.parse(event.recorded))
  ) {
    throw new FhirEventsError('INVALID_PAYLOAD', 'audit message is not an AuditEvent with id and recorded');
  }
  return event as AuditEvent;
}
