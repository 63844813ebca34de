import {
  eventTypeFor,
  FHIR_JSON,
  type EventAction,
  type ImagingEvent,
  type ImagingResource,
} from '@oncoimg/fhir-events';

export type PersonaResource = ImagingResource;
export type PersonaAction = EventAction;

const SOURCE_OF: Record<PersonaResource['resourceType'], string> = {
  ServiceRequest: 'oncoimg/order-service',
  ImagingStudy: 'oncoimg/study-service',
  DiagnosticReport: 'oncoimg/report-service',
};

/** An event as the intake services publish it: Kafka key = patient key, CloudEvents attributes, the FHIR resource as value. */
export type PersonaEvent<R extends PersonaResource = PersonaResource> = ImagingEvent<R>;

export interface PersonaEventOptions {
  patientKey: string;
  /** Default: `created` for version 1, `updated` after. */
  action?: PersonaAction;
  /** Default: the resource's `meta.lastUpdated`. */
  time?: string;
}

/** The event that publishes one version of a resource, with an event id derived from the version (stable across runs). */
export function personaEvent<R extends PersonaResource>(
  resource: R,
  options: PersonaEventOptions,
): PersonaEvent<R> {
  const versionId = resource.meta?.versionId ?? '1';
  const {
    patientKey,
    action = versionId === '1' ? 'created' : 'updated',
    time = resource.meta?.lastUpdated ?? '1970-01-01T00:00:00Z',
  } = options;
  const id = resource.id ?? 'unknown';
  return {
    key: patientKey,
    action,
    attributes: {
      specversion: '1.0',
      id: `${resource.resourceType}/${id}/${versionId}/${action}`,
      source: SOURCE_OF[resource.resourceType],
      type: eventTypeFor(resource.resourceType, action),
      subject: `${resource.resourceType}/${id}`,
      time,
      datacontenttype: FHIR_JSON,
    },
    resource,
  };
}

/**
 * The event of deleting a resource: the repository writes a new version for the delete, and the
 * event carries the last stored body under that version.
 */
export function personaDeleteEvent<R extends PersonaResource>(
  resource: R,
  options: { patientKey: string; time: string },
): PersonaEvent<R> {
  const versionId = String(Number(resource.meta?.versionId ?? '1') + 1);
  const tombstone = { ...resource, meta: { ...resource.meta, versionId, lastUpdated: options.time } };
  return personaEvent(tombstone, { patientKey: options.patientKey, action: 'deleted', time: options.time });
}

/** One event per resource version, in the given (delivery) order. */
export function personaEvents(resources: readonly PersonaResource[], patientKey: string): PersonaEvent[] {
  return resources.map((resource) => personaEvent(resource, { patientKey }));
}
