/**
 * What the Kafka streams mean for subscribers: each consumed message becomes zero or more topic
 * events (a FHIR resource created, updated or deleted, for one topic). Pure: the consumer decodes
 * the message and hands the result here.
 */
import type { Observation, Resource } from '@medplum/fhirtypes';
import type { ImagingEvent, TimelineResponseChange } from '@oncoimg/fhir-events';
import { SUBSCRIPTION_TOPICS, type TopicDefinition, type TopicInteraction } from './topics.ts';

export interface TopicEvent {
  topicUrl: string;
  /** Unique per source event and focus (the CloudEvents id, plus the Observation for responses). */
  eventId: string;
  interaction: TopicInteraction;
  resourceType: string;
  resourceId: string;
  patientKey: string;
  /** The resource as it now stands; null for a deletion. */
  resource: Resource | null;
  /** RFC 3339: when it happened at the source. */
  timestamp: string;
  /** When Kafka received the message (ms since the epoch): a Subscription is owed what came after it. */
  publishedAt: number;
  /** W3C trace context of the consumed message, so the delivery can link to it. */
  traceparent?: string;
}

const INTERACTION_OF_ACTION = { created: 'create', updated: 'update', deleted: 'delete' } as const;

function topicOfSource(source: TopicDefinition['source']): TopicDefinition {
  const topic = SUBSCRIPTION_TOPICS.find((candidate) => candidate.source === source);
  if (!topic) {
    throw new Error(`no topic is fed by ${source}`);
  }
  return topic;
}

/** The topic event of an intake event, or none when its topic does not trigger on that interaction. */
export function topicEventsOfImagingEvent(
  event: ImagingEvent,
  publishedAt: number,
  traceparent?: string,
): TopicEvent[] {
  const source = (
    {
      ServiceRequest: 'serviceRequest',
      ImagingStudy: 'imagingStudy',
      DiagnosticReport: 'diagnosticReport',
    } as const
  )[event.resource.resourceType];
  const topic = topicOfSource(source);
  const interaction = INTERACTION_OF_ACTION[event.action];
  if (!topic.interactions.includes(interaction)) {
    return [];
  }
  return [
    {
      topicUrl: topic.url,
      eventId: event.attributes.id,
      interaction,
      resourceType: event.resource.resourceType,
      resourceId: event.resource.id ?? '',
      patientKey: event.key,
      resource: interaction === 'delete' ? null : event.resource,
      timestamp: event.attributes.time,
      publishedAt,
      ...(traceparent ? { traceparent } : {}),
    },
  ];
}

/** What the subscription service reads of a timeline event: its patient and its response changes. */
export interface TimelineEventView {
  patientKey: string;
  updatedAt: string;
  responseChanges: readonly TimelineResponseChange[];
}

/**
 * Reads the fields this service needs from an `imaging.timeline.v1` value; throws a plain Error
 * (not retriable: the message is malformed) when they are missing. Events from before
 * `responseChanges` existed carry none, which means no response changed.
 */
export function readTimelineEvent(value: unknown): TimelineEventView {
  const candidate = value as Partial<Record<string, unknown>> | null;
  if (typeof candidate !== 'object' || candidate === null) {
    throw new Error('timeline event is not a JSON object');
  }
  const { patientKey, updatedAt, responseChanges = [] } = candidate;
  if (typeof patientKey !== 'string' || patientKey === '' || typeof updatedAt !== 'string') {
    throw new Error('timeline event has no patientKey or updatedAt');
  }
  if (!Array.isArray(responseChanges)) {
    throw new Error('timeline event responseChanges is not an array');
  }
  for (const change of responseChanges as Partial<TimelineResponseChange>[]) {
    if (
      !['created', 'updated', 'deleted'].includes(change.change ?? '') ||
      typeof change.observationId !== 'string' ||
      (change.change !== 'deleted' && change.observation?.resourceType !== 'Observation')
    ) {
      throw new Error('timeline event has a malformed response change');
    }
  }
  return { patientKey, updatedAt, responseChanges: responseChanges as TimelineResponseChange[] };
}

/** One topic event per response assessment a timeline version made, changed or withdrew. */
export function topicEventsOfTimelineEvent(
  view: TimelineEventView,
  { eventId, publishedAt }: { eventId: string; publishedAt: number },
  traceparent?: string,
): TopicEvent[] {
  const topic = topicOfSource('timeline');
  return view.responseChanges.map((change) => {
    const observation: Observation | null = change.change === 'deleted' ? null : change.observation;
    return {
      topicUrl: topic.url,
      eventId: `${eventId}/${change.observationId}`,
      interaction: INTERACTION_OF_ACTION[change.change],
      resourceType: 'Observation',
      resourceId: change.observationId,
      patientKey: view.patientKey,
      resource: observation,
      timestamp: view.updatedAt,
      publishedAt,
      ...(traceparent ? { traceparent } : {}),
    };
  });
}
