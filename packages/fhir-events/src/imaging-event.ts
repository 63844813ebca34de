import type { DiagnosticReport, ImagingStudy, ServiceRequest } from '@medplum/fhirtypes';
import { randomUUID } from 'node:crypto';
import {
  buildCloudEventHeaders,
  FHIR_JSON,
  parseCloudEventHeaders,
  CE_HEADERS,
  type CloudEventAttributes,
} from './cloudevents.ts';
import { FhirEventsError } from './errors.ts';
import { patientKeyOf } from './patient-key.ts';

/** The resources the intake services publish, one topic each. */
export type ImagingResource = ServiceRequest | ImagingStudy | DiagnosticReport;
export type ImagingResourceType = ImagingResource['resourceType'];
export const IMAGING_RESOURCE_TYPES: readonly ImagingResourceType[] = [
  'ServiceRequest',
  'ImagingStudy',
  'DiagnosticReport',
];

export const EVENT_ACTIONS = ['created', 'updated', 'deleted'] as const;
export type EventAction = (typeof EVENT_ACTIONS)[number];

/**
 * One event of an intake topic: Kafka key, CloudEvents attributes, and the FHIR resource as the
 * value. `action` is the last segment of `attributes.type`, read once here so that consumers never
 * parse the type again.
 */
export interface ImagingEvent<R extends ImagingResource = ImagingResource> {
  key: string;
  action: EventAction;
  attributes: CloudEventAttributes;
  resource: R;
  traceparent?: string;
}

/** A message as Kafka carries it (extra fields such as topic and offset are allowed). */
export interface EncodedMessage {
  key: string | null;
  value: Buffer | string | null;
  headers: Readonly<Record<string, string | undefined>>;
}

/** `imaging.servicerequest.created` */
export function eventTypeFor(resourceType: ImagingResourceType, action: EventAction): string {
  return `imaging.${resourceType.toLowerCase()}.${action}`;
}

/** The resource type and action of an event type; throws UNKNOWN_EVENT_TYPE otherwise. */
export function parseEventType(type: string): { resourceType: ImagingResourceType; action: EventAction } {
  const match = /^imaging\.([a-z]+)\.([a-z]+)$/.exec(type);
  const resourceType = IMAGING_RESOURCE_TYPES.find((t) => t.toLowerCase() === match?.[1]);
  const action = EVENT_ACTIONS.find((a) => a === match?.[2]);
  if (!resourceType || !action) {
    throw new FhirEventsError('UNKNOWN_EVENT_TYPE', `unknown event type ${JSON.stringify(type)}`);
  }
  return { resourceType, action };
}

export interface BuildImagingEventOptions<R extends ImagingResource> {
  resource: R;
  action: EventAction;
  /** `ce_source`: the publishing service. */
  source: string;
  /** Default: the patient key of the resource's subject. */
  key?: string;
  id?: string;
  time?: string;
}

/** The event that publishes one version of a resource. Throws NO_PATIENT_KEY when the subject names no patient. */
export function buildImagingEvent<R extends ImagingResource>({
  resource,
  action,
  source,
  key = patientKeyOf(resource),
  id = randomUUID(),
  time = resource.meta?.lastUpdated ?? new Date().toISOString(),
}: BuildImagingEventOptions<R>): ImagingEvent<R> {
  if (!key) {
    throw new FhirEventsError(
      'NO_PATIENT_KEY',
      `${resource.resourceType} has no subject that identifies a Patient`,
    );
  }
  return {
    key,
    action,
    resource,
    attributes: {
      specversion: '1.0',
      id,
      source,
      type: eventTypeFor(resource.resourceType, action),
      subject: `${resource.resourceType}/${resource.id ?? ''}`,
      time,
      datacontenttype: FHIR_JSON,
    },
  };
}

/** The Kafka message of an event: the resource exactly as stored, as JSON; binary-mode CloudEvents headers. */
export function encodeEvent(event: ImagingEvent): {
  key: string;
  value: string;
  headers: Record<string, string>;
} {
  return {
    key: event.key,
    value: JSON.stringify(event.resource),
    headers: buildCloudEventHeaders(event.attributes, event.traceparent),
  };
}

/**
 * Reads an intake event back. Throws FhirEventsError (never retriable) when headers are missing,
 * the value is not a JSON object with the resource type the event type names, or there is no key.
 */
export function decodeImagingEvent(message: EncodedMessage): ImagingEvent {
  const attributes = parseCloudEventHeaders(message.headers);
  const { resourceType, action } = parseEventType(attributes.type);
  if (message.value === null || message.value.length === 0) {
    throw new FhirEventsError('INVALID_PAYLOAD', 'message has no value');
  }
  let resource: unknown;
  try {
    resource = JSON.parse(typeof message.value === 'string' ? message.value : message.value.toString('utf8'));
  } catch (error) {
    throw new FhirEventsError('INVALID_PAYLOAD', 'message value is not JSON', { cause: error });
  }
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) {
    throw new FhirEventsError('INVALID_PAYLOAD', 'message value is not a JSON object');
  }
  const actualType = (resource as { resourceType?: unknown }).resourceType;
  if (actualType !== resourceType) {
    throw new FhirEventsError(
      'TYPE_MISMATCH',
      `event type ${attributes.type} carries a ${String(actualType)}`,
    );
  }
  if (!message.key) {
    throw new FhirEventsError('INVALID_PAYLOAD', 'message has no key (patient key)');
  }
  const traceparent = message.headers[CE_HEADERS.traceparent];
  return {
    key: message.key,
    action,
    attributes,
    resource: resource as ImagingResource,
    ...(traceparent ? { traceparent } : {}),
  };
}
