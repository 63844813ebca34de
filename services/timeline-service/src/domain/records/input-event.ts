import type { CloudEventAttributes, ImagingEvent } from '@oncoimg/fhir-events';

/**
 * The part of a decoded `ImagingEvent` (@oncoimg/fhir-events) the domain reads: the Kafka key
 * (patient key), the action the event type names, the resource, and the CloudEvents attributes that
 * order versions. Decoding already checked that the type names the resource, so the domain never
 * parses the type again. Any `ImagingEvent` is one.
 */
export interface TimelineInputEvent {
  key?: string | null;
  action: ImagingEvent['action'];
  attributes: Partial<Pick<CloudEventAttributes, 'id' | 'subject' | 'time'>>;
  resource: ImagingEvent['resource'];
}
