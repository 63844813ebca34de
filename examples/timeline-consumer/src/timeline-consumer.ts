/**
 * A minimal consumer of `imaging.timeline.v1`, written against kafkajs directly so it reads like
 * what any downstream system (oncology EHR, tumour board tool, research feed) would write. Only the
 * contract comes from this repository: the topic name, the CloudEvents header names (and reading
 * them from Kafka headers) and the `TimelineSummaryEvent` type of `@oncoimg/fhir-events`.
 *
 * Guarantees
 * - Per patient in order: the message key is the patient key, so one patient's summaries share a
 *   partition and arrive in `timelineVersion` order.
 * - At least once: kafkajs commits after `onSummary` resolves; a crash in between delivers the
 *   summary again. Keep the highest `timelineVersion` per patient and a redelivery is harmless.
 * - A message that is not a timeline summary (wrong headers, wrong type, unknown schema version,
 *   not JSON) is passed to `onInvalid` and skipped. A production consumer would dead-letter it to
 *   `imaging.timeline.v1.dlq` instead (the shared runner of `@oncoimg/kafka` does).
 * - If `onSummary` throws, kafkajs retries the message and then restarts the consumer: it is
 *   never skipped.
 */
import {
  DEFAULT_TOPICS,
  headersToStrings,
  parseCloudEventHeaders,
  TIMELINE_EVENT_SCHEMA_VERSION,
  TIMELINE_EVENT_TYPE,
  type CloudEventAttributes,
  type TimelineSummaryEvent,
} from '@oncoimg/fhir-events';
import { Kafka, logLevel, type Consumer, type IHeaders, type KafkaConfig } from 'kafkajs';

/** Where a summary was read from, for logs and for acknowledging it elsewhere. */
export interface SummaryPosition {
  topic: string;
  partition: number;
  offset: string;
}

export interface ReceivedSummary {
  /** The Kafka key: the patient key, the same as `summary.patientKey`. */
  key: string;
  attributes: CloudEventAttributes;
  summary: TimelineSummaryEvent;
  position: SummaryPosition;
}

export interface TimelineConsumerOptions {
  brokers: string[];
  /** SASL credentials and TLS, as kafkajs takes them; PLAINTEXT when absent. */
  security?: Pick<KafkaConfig, 'sasl' | 'ssl'>;
  groupId: string;
  /** Default `imaging.timeline.v1`. */
  topic?: string;
  clientId?: string;
  /** A new group reads the topic from the start (every patient's latest state), else only new summaries. */
  fromBeginning?: boolean;
  onSummary: (received: ReceivedSummary) => Promise<void> | void;
  /** A message that is not a timeline summary; default: ignored. */
  onInvalid?: (error: Error, position: SummaryPosition) => void;
}

export interface TimelineConsumer {
  /** Connects, subscribes and resolves once the consumer has joined its group. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Thrown by `decodeTimelineSummary` for a message that is not a timeline summary. */
export class InvalidSummaryError extends Error {
  override readonly name = 'InvalidSummaryError';
}

/**
 * Reads one message of the timeline topic: the CloudEvents headers (checked by
 * `parseCloudEventHeaders`), the event type, and the JSON value of the schema version this code
 * was written for. Throws InvalidSummaryError otherwise.
 */
export function decodeTimelineSummary(message: {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: IHeaders;
}): { key: string; attributes: CloudEventAttributes; summary: TimelineSummaryEvent } {
  let attributes: CloudEventAttributes;
  try {
    attributes = parseCloudEventHeaders(headersToStrings(message.headers));
  } catch (error) {
    throw new InvalidSummaryError('not a CloudEvent', { cause: error });
  }
  if (attributes.type !== TIMELINE_EVENT_TYPE) {
    throw new InvalidSummaryError(`unexpected event type ${attributes.type}`);
  }
  let summary: unknown;
  try {
    summary = JSON.parse(message.value?.toString() ?? '');
  } catch (error) {
    throw new InvalidSummaryError('value is not JSON', { cause: error });
  }
  const version = (summary as { schemaVersion?: unknown } | null)?.schemaVersion;
  // A new schema version is an incompatible change: stop reading rather than misread it.
  if (version !== TIMELINE_EVENT_SCHEMA_VERSION) {
    throw new InvalidSummaryError(`unsupported schemaVersion ${JSON.stringify(version)}`);
  }
  const key = message.key?.toString();
  if (!key) {
    throw new InvalidSummaryError('message has no key (patient key)');
  }
  return { key, attributes, summary: summary as TimelineSummaryEvent };
}

/** Builds a consumer of timeline summaries; nothing connects until `start()`. */
export function createTimelineConsumer({
  brokers,
  security = {},
  groupId,
  topic = DEFAULT_TOPICS.timeline,
  clientId = 'timeline-consumer-example',
  fromBeginning = true,
  onSummary,
  onInvalid = () => {},
}: TimelineConsumerOptions): TimelineConsumer {
  // kafkajs's info lines are per-connection chatter; warnings and errors still show.
  const kafka = new Kafka({ clientId, brokers, logLevel: logLevel.WARN, ...security });
  let consumer: Consumer | undefined;

  return {
    async start() {
      const created = kafka.consumer({ groupId });
      consumer = created;
      const joined = new Promise<void>((resolve) => {
        const off = created.on(created.events.GROUP_JOIN, () => {
          off();
          resolve();
        });
      });
      await created.connect();
      await created.subscribe({ topic, fromBeginning });
      await created.run({
        eachMessage: async ({ topic: from, partition, message }) => {
          const position = { topic: from, partition, offset: message.offset };
          let decoded: ReturnType<typeof decodeTimelineSummary>;
          try {
            decoded = decodeTimelineSummary(message);
          } catch (error) {
            if (!(error instanceof InvalidSummaryError)) {
              throw error;
            }
            onInvalid(error, position);
            return;
          }
          await onSummary({ ...decoded, position });
        },
      });
      await joined;
    },
    async stop() {
      await consumer?.disconnect();
      consumer = undefined;
    },
  };
}
