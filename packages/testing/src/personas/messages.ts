import { DEFAULT_TOPICS, encodeEvent, type ConsumedMessage } from '@oncoimg/fhir-events';
import type { PersonaEvent } from './events.ts';

/** A persona event as a consumer receives it from Kafka. */
export type PersonaMessage = ConsumedMessage;

const TOPIC_OF: Record<PersonaEvent['resource']['resourceType'], string> = {
  ServiceRequest: DEFAULT_TOPICS.serviceRequest,
  ImagingStudy: DEFAULT_TOPICS.imagingStudy,
  DiagnosticReport: DEFAULT_TOPICS.diagnosticReport,
};

/**
 * Encodes persona events exactly as the intake services publish them, on the default topic of each
 * resource type, one partition, consecutive offsets per topic in the order given.
 */
export function personaMessages(events: readonly PersonaEvent[]): PersonaMessage[] {
  const nextOffset = new Map<string, number>();
  return events.map((event) => {
    const topic = TOPIC_OF[event.resource.resourceType];
    const offset = nextOffset.get(topic) ?? 0;
    nextOffset.set(topic, offset + 1);
    const encoded = encodeEvent(event);
    return {
      topic,
      partition: 0,
      offset: String(offset),
      key: encoded.key,
      value: Buffer.from(encoded.value),
      headers: encoded.headers,
      timestamp: String(Date.parse(event.attributes.time) || 0),
    };
  });
}
