import type { ImagingResource } from './imaging-resource.ts';
import { TimelineDomainError } from './errors.ts';

/**
 * The part of an `ImagingEvent` (@oncoimg/fhir-events) the domain reads: the Kafka key (patient
 * key), the CloudEvents attributes and the FHIR resource. Any `ImagingEvent` is one.
 */
export interface TimelineInputEvent {
  key?: string | null;
  attributes: {
    /** `imaging.servicerequest.created` | `…updated` | `…deleted` */
    type: string;
    id?: string;
    subject?: string;
    time?: string;
  };
  resource: ImagingResource;
}

export const EVENT_ACTIONS = ['created', 'updated', 'deleted'] as const;
export type EventAction = (typeof EVENT_ACTIONS)[number];

/**
 * The action of an event, from the last segment of its `ce_type`. The middle segment must name
 * the resource's type, so a study published as an order is refused rather than misfiled.
 */
export function eventActionOf(event: TimelineInputEvent): EventAction {
  const segments = event.attributes.type.split('.');
  const action = segments.at(-1);
  if (!(EVENT_ACTIONS as readonly string[]).includes(action ?? '')) {
    throw new TimelineDomainError(
      'UNKNOWN_EVENT_TYPE',
      `unknown event type ${JSON.stringify(event.attributes.type)}`,
    );
  }
  const typeSegment = segments.at(-2);
  if (typeSegment !== undefined && typeSegment.toLowerCase() !== event.resource.resourceType.toLowerCase()) {
    throw new TimelineDomainError(
      'EVENT_TYPE_MISMATCH',
      `event type ${JSON.stringify(event.attributes.type)} does not match resource type ${event.resource.resourceType}`,
    );
  }
  return action as EventAction;
}
