/**
 * Consumer of the four streams subscriptions are fed from (orders, studies, reports, timeline)
 * into numbered events of the matching subscriptions.
 *
 * Guarantees
 * - Effectively once: the events numbered for each subscription and the consumed offsets commit in
 *   ONE database transaction. A redelivered message is below its stored offset and skipped; an
 *   event republished at another offset has a known event id and is skipped per subscription.
 * - Order: one partition's messages are numbered in offset order, so a subscriber gets one
 *   patient's changes of one topic in the order they were published.
 * - From creation on: a Subscription is owed the events Kafka received after it was created, even
 *   when the consumer reads older ones later (a backlog, a new group reading from the beginning).
 * - Access: an event is numbered for a subscription only when its filters match and the
 *   subscriber's recorded scopes allow reading it (a patient-context client: only its patient).
 * - Dead letters: a message that cannot be decoded fails non-retriably; the runner sends it to the
 *   topic's dead-letter topic and goes on. Database errors keep their `retriable` flag.
 */
import {
  CE_HEADERS,
  decodeImagingEvent,
  FhirEventsError,
  parseCloudEventHeaders,
  type ConsumedMessage,
} from '@oncoimg/fhir-events';
import {
  positionsAfter,
  readPositions,
  savePositions,
  unprocessedMessages,
  type Database,
} from '@oncoimg/store';
import { matchesFilters } from '../domain/filters.ts';
import { mayReceive } from '../domain/subscriber-access.ts';
import {
  readTimelineEvent,
  topicEventsOfImagingEvent,
  topicEventsOfTimelineEvent,
  type TopicEvent,
} from '../domain/topic-event.ts';
import { appendEvents, subscribersOf } from '../store/delivery.repository.ts';

export interface TopicEventsDeps {
  db: Database;
  /** The consumer group whose offsets are stored with the events. */
  groupId: string;
  /** The Kafka topic of the timeline stream; the others carry intake events. */
  timelineTopic: string;
}

/** Decodes one message into topic events; throws FhirEventsError (not retriable) when it is malformed. */
export function topicEventsOfMessage(message: ConsumedMessage, timelineTopic: string): TopicEvent[] {
  const traceparent = message.headers[CE_HEADERS.traceparent];
  const publishedAt = Number(message.timestamp);
  if (message.topic !== timelineTopic) {
    return topicEventsOfImagingEvent(decodeImagingEvent(message), publishedAt, traceparent);
  }
  const attributes = parseCloudEventHeaders(message.headers);
  try {
    const view = readTimelineEvent(JSON.parse(message.value?.toString('utf8') ?? 'null'));
    return topicEventsOfTimelineEvent(view, { eventId: attributes.id, publishedAt }, traceparent);
  } catch (error) {
    throw new FhirEventsError('INVALID_PAYLOAD', 'not a timeline event', { cause: error });
  }
}

/**
 * Numbers a batch's events for the matching subscriptions and stores them with the offsets, in one
 * transaction. Resolves with the number of events added (the deliverer is woken when > 0).
 */
export async function handleTopicMessages(
  messages: readonly ConsumedMessage[],
  { db, groupId, timelineTopic }: TopicEventsDeps,
): Promise<number> {
  // Decoding first, outside the transaction: a poison message fails before anything is read.
  const decoded = messages.map((message) => ({
    message,
    events: topicEventsOfMessage(message, timelineTopic),
  }));
  const topics = [...new Set(messages.map((m) => m.topic))];
  return db.transaction(async (tx) => {
    const fresh = new Set(unprocessedMessages(messages, await readPositions(tx, groupId, topics)));
    const events = decoded.filter(({ message }) => fresh.has(message)).flatMap((d) => d.events);
    let added = 0;
    if (events.length > 0) {
      const subscribers = await subscribersOf(tx, [...new Set(events.map((event) => event.topicUrl))]);
      for (const subscriber of subscribers) {
        const owed = events.filter(
          (event) =>
            event.topicUrl === subscriber.topicUrl &&
            // Read again from the start (a new consumer group), older events are not owed to it.
            event.publishedAt >= subscriber.createdAt &&
            matchesFilters(subscriber.filters, event) &&
            mayReceive(subscriber.grant, event),
        );
        if (owed.length > 0) {
          added += await appendEvents(tx, subscriber.id, owed);
        }
      }
    }
    await savePositions(tx, groupId, positionsAfter(messages));
    return added;
  });
}
