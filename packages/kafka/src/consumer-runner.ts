/**
 * Consumer runner: the one way services consume.
 *
 * Guarantees
 * - Commit after success: an offset is resolved (and committed) only once the handler resolved
 *   for it, or its message went to the dead-letter topic. A crash before that redelivers it, so
 *   handlers must be idempotent (the contract requires it).
 * - Retriable failures (`error.retriable === true`: a database or broker that is down) are retried
 *   in place with capped exponential backoff. When the retries run out the batch fails, kafkajs
 *   restarts the consumer, and the message is delivered again later: it is never dead-lettered,
 *   because nothing is wrong with it.
 * - Other failures send the message to `<topic>.dlq` with the same key, value and headers plus
 *   `dlq_reason`, `dlq_error_code`, `dlq_original_topic`, `dlq_original_partition`,
 *   `dlq_original_offset` and `dlq_failed_at`; the consumer goes on with the next message. In batch
 *   mode a failing batch is retried message by message, so only the poison message is dead-lettered.
 * - Order: messages of one partition are handled in offset order.
 * - Tracing: each delivery runs in a `process` span whose parent is the message's `traceparent`;
 *   attributes follow the messaging conventions, without the key (a patient key).
 * - Metrics: dead letters are counted by original topic and error code (`oncoimg.dead_letters`).
 */
import { context, SpanKind, SpanStatusCode, trace, type Link } from '@opentelemetry/api';
import {
  deadLetterTopicFor as defaultDeadLetterTopicFor,
  DLQ_HEADERS,
  type ConsumedMessage,
} from '@oncoimg/fhir-events';
import { serviceMetrics, silentLogger, type Logger } from '@oncoimg/telemetry';
import type { Consumer, EachBatchPayload, KafkaMessage, Producer } from 'kafkajs';
import { errorCodeOf, isRetriable, KafkaError } from './errors.ts';
import { createKafkaClient, headersToStrings } from './kafka-client.ts';
import { extractTraceContext, kafkaTracer } from './trace-context.ts';

/** A message as handlers receive it: declared by the event contract. */
export type { ConsumedMessage };

export type MessageHandler = (message: ConsumedMessage) => Promise<void>;
export type BatchHandler = (
  messages: ConsumedMessage[],
  context: { topic: string; partition: number },
) => Promise<void>;

export interface RetryPolicy {
  retries?: number;
  initialMs?: number;
  maxMs?: number;
}

interface CommonOptions {
  brokers: string[];
  clientId: string;
  groupId: string;
  topics: string[];
  /** Where a new group starts: the beginning (default), so nothing published before it is missed. */
  fromBeginning?: boolean;
  retry?: RetryPolicy;
  deadLetterTopicFor?: (topic: string) => string;
  partitionsConsumedConcurrently?: number;
  logger?: Logger;
}

export type ConsumerRunnerOptions = CommonOptions &
  ({ mode?: 'message'; handler: MessageHandler } | { mode: 'batch'; handler: BatchHandler });

export interface ConsumerRunnerStats {
  running: boolean;
  processed: number;
  deadLettered: number;
  retried: number;
  lastError: string | null;
  lastProcessedAt: string | null;
}

export interface ConsumerRunner {
  /** Connects, subscribes and resolves once the consumer has joined its group and runs. */
  start(): Promise<void>;
  /** Finishes the message in hand, commits, leaves the group and disconnects. */
  stop(): Promise<void>;
  stats(): ConsumerRunnerStats;
}

/**
 * Five retries from 100 ms doubling to 5 s ride out a database failover or a broker restart
 * (about 10 s in all) without holding a partition so long that the group rebalances.
 */
export const DEFAULT_HANDLER_RETRIES = 5;
export const DEFAULT_RETRY_INITIAL_MS = 100;
export const DEFAULT_RETRY_MAX_MS = 5_000;
/** How long `start()` waits for the group join before failing. */
const JOIN_TIMEOUT_MS = 60_000;
const FETCH_MAX_WAIT_MS = 500;
/** Dead-letter reasons are bounded: enough to diagnose, never a whole payload. */
const MAX_REASON_LENGTH = 500;

function toConsumed(topic: string, partition: number, message: KafkaMessage): ConsumedMessage {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key ? message.key.toString() : null,
    value: message.value,
    headers: headersToStrings(message.headers),
    timestamp: message.timestamp,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Creates a runner; nothing connects until `start()`. */
export function createConsumerRunner(options: ConsumerRunnerOptions): ConsumerRunner {
  const {
    brokers,
    clientId,
    groupId,
    topics,
    fromBeginning = true,
    retry = {},
    deadLetterTopicFor = defaultDeadLetterTopicFor,
    partitionsConsumedConcurrently = 1,
    logger = silentLogger,
  } = options;
  const retries = retry.retries ?? DEFAULT_HANDLER_RETRIES;
  const initialMs = retry.initialMs ?? DEFAULT_RETRY_INITIAL_MS;
  const maxMs = retry.maxMs ?? DEFAULT_RETRY_MAX_MS;
  const log = logger.child({ component: 'consumer', groupId });
  const kafka = createKafkaClient({ brokers, clientId, logger });
  const stats: ConsumerRunnerStats = {
    running: false,
    processed: 0,
    deadLettered: 0,
    retried: 0,
    lastError: null,
    lastProcessedAt: null,
  };
  let consumer: Consumer | undefined;
  let deadLetterProducer: Producer | undefined;
  let stopping = false;

  /** A consumer may start before anything was published: subscribing to a missing topic fails. */
  async function createMissingTopics(): Promise<void> {
    const admin = kafka.admin();
    try {
      await admin.connect();
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((topic) => !existing.has(topic));
      if (missing.length > 0)
        await admin.createTopics({ topics: missing.map((topic) => ({ topic })), waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
  }

  async function withRetry(work: () => Promise<void>, isRunning: () => boolean): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await work();
        return;
      } catch (error) {
        if (!isRetriable(error) || attempt >= retries || !isRunning() || stopping) throw error;
        stats.retried += 1;
        stats.lastError = errorCodeOf(error);
        log.warn('retriable handler failure; retrying', { attempt: attempt + 1, error: errorCodeOf(error) });
        await sleep(Math.min(maxMs, initialMs * 2 ** attempt));
      }
    }
  }

  /** Runs `work` in a `process` span: child of the first message's trace, linked to the others. */
  async function traced(
    messages: readonly ConsumedMessage[],
    topic: string,
    partition: number,
    work: () => Promise<void>,
  ) {
    const first = messages.at(0);
    const rest = messages.slice(1);
    const parent = first ? extractTraceContext(first.headers) : context.active();
    const links: Link[] = rest.flatMap((m) => {
      const spanContext = trace.getSpanContext(extractTraceContext(m.headers));
      return spanContext ? [{ context: spanContext }] : [];
    });
    const span = kafkaTracer().startSpan(
      `process ${topic}`,
      {
        kind: SpanKind.CONSUMER,
        links,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'process',
          'messaging.operation.name': 'process',
          'messaging.destination.name': topic,
          'messaging.destination.partition.id': String(partition),
          'messaging.consumer.group.name': groupId,
          'messaging.client.id': clientId,
          ...(messages.length > 1 ? { 'messaging.batch.message_count': messages.length } : {}),
          ...(first && messages.length === 1 ? { 'kafka.offset': Number(first.offset) } : {}),
        },
      },
      parent,
    );
    try {
      await context.with(trace.setSpan(parent, span), work);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorCodeOf(error) });
      throw error;
    } finally {
      span.end();
    }
  }

  async function deadLetter(message: ConsumedMessage, error: unknown): Promise<void> {
    const reason = (error instanceof Error ? error.message : String(error)).slice(0, MAX_REASON_LENGTH);
    const topic = deadLetterTopicFor(message.topic);
    try {
      deadLetterProducer ??= kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: true,
      });
      await deadLetterProducer.connect();
      await deadLetterProducer.send({
        topic,
        acks: -1,
        messages: [
          {
            key: message.key,
            value: message.value,
            headers: {
              ...message.headers,
              [DLQ_HEADERS.reason]: reason,
              [DLQ_HEADERS.errorCode]: errorCodeOf(error),
              [DLQ_HEADERS.originalTopic]: message.topic,
              [DLQ_HEADERS.originalPartition]: String(message.partition),
              [DLQ_HEADERS.originalOffset]: message.offset,
              [DLQ_HEADERS.failedAt]: new Date().toISOString(),
            },
          },
        ],
      });
    } catch (sendError) {
      // Not committing is the only safe answer: the message comes back and is dead-lettered then.
      throw new KafkaError('DEAD_LETTER_FAILED', `could not write to ${topic}`, {
        retriable: true,
        cause: sendError,
      });
    }
    stats.deadLettered += 1;
    stats.lastError = errorCodeOf(error);
    serviceMetrics().recordDeadLetter(message.topic, errorCodeOf(error));
    log.warn('message sent to the dead-letter topic', {
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
      error: errorCodeOf(error),
    });
  }

  async function handleOne(message: ConsumedMessage, isRunning: () => boolean): Promise<void> {
    try {
      await withRetry(
        () =>
          traced([message], message.topic, message.partition, () =>
            options.mode === 'batch'
              ? options.handler([message], { topic: message.topic, partition: message.partition })
              : options.handler(message),
          ),
        isRunning,
      );
    } catch (error) {
      if (isRetriable(error)) throw error;
      await deadLetter(message, error);
    }
    stats.processed += 1;
  }

  async function eachBatch(payload: EachBatchPayload) {
    const { batch } = payload;
    const isRunning = () => payload.isRunning();
    const messages = batch.messages.map((m) => toConsumed(batch.topic, batch.partition, m));
    if (messages.length === 0) return;
    if (options.mode === 'batch') {
      const handler = options.handler;
      try {
        await withRetry(
          () =>
            traced(messages, batch.topic, batch.partition, () =>
              handler(messages, { topic: batch.topic, partition: batch.partition }),
            ),
          isRunning,
        );
        for (const m of messages) payload.resolveOffset(m.offset);
        stats.processed += messages.length;
        stats.lastProcessedAt = new Date().toISOString();
        await payload.commitOffsetsIfNecessary();
        return;
      } catch (error) {
        if (isRetriable(error)) throw error;
        log.warn('batch failed; isolating the failing message', {
          size: messages.length,
          error: errorCodeOf(error),
        });
      }
    }
    for (const message of messages) {
      if (!isRunning() || payload.isStale()) break;
      await handleOne(message, isRunning);
      payload.resolveOffset(message.offset);
      stats.lastProcessedAt = new Date().toISOString();
      await payload.heartbeat();
    }
    await payload.commitOffsetsIfNecessary();
  }

  return {
    async start() {
      stopping = false;
      // A short fetch wait keeps `stop()` quick (kafkajs waits for the fetch in flight); idle fetches stay cheap.
      const created = kafka.consumer({
        groupId,
        allowAutoTopicCreation: true,
        maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
      });
      consumer = created;
      const joined = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(
            new KafkaError(
              'CONNECTION_FAILED',
              `consumer group ${groupId} did not join within ${String(JOIN_TIMEOUT_MS / 1000)} s`,
              { retriable: true },
            ),
          );
        }, JOIN_TIMEOUT_MS);
        created.on(created.events.GROUP_JOIN, () => {
          clearTimeout(timer);
          resolve();
        });
      });
      created.on(created.events.CRASH, (event) => {
        stats.lastError = errorCodeOf(event.payload.error);
        log.error('consumer crashed; kafkajs restarts it', {
          error: errorCodeOf(event.payload.error),
          restart: event.payload.restart,
        });
      });
      try {
        await createMissingTopics();
        await created.connect();
        await created.subscribe({ topics, fromBeginning });
        await created.run({
          eachBatchAutoResolve: false,
          autoCommit: true,
          partitionsConsumedConcurrently,
          eachBatch,
        });
      } catch (error) {
        throw new KafkaError('CONNECTION_FAILED', `could not start consumer group ${groupId}`, {
          retriable: true,
          cause: error,
        });
      }
      await joined;
      stats.running = true;
    },
    async stop() {
      stopping = true;
      const current = consumer;
      consumer = undefined;
      stats.running = false;
      await current?.disconnect();
      await deadLetterProducer?.disconnect();
      deadLetterProducer = undefined;
    },
    stats: () => ({ ...stats }),
  };
}
