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
import {
  deadLetterTopicFor as defaultDeadLetterTopicFor,
  headersToStrings,
  type ConsumedMessage,
} from '@oncoimg/fhir-events';
import { silentLogger, type Logger } from '@oncoimg/telemetry';
import {
  PartitionAssigners,
  type Consumer,
  type KafkaMessage,
  type PartitionAssigner,
  type Producer,
} from 'kafkajs';
import { coPartitionedAssigner } from './co-partitioned-assigner.ts';
import { createBatchProcessor, initialRunnerStats, type ConsumerRunnerStats } from './batch-processor.ts';
import { accessRefusal, errorCodeOf, KafkaError } from './errors.ts';
import { createKafkaClient } from './kafka-client.ts';
import type { KafkaConnection } from './kafka-security.ts';
import { crashLogLevel } from './kafkajs-log.ts';
import {
  CONSUMER_HEARTBEAT_INTERVAL_MS,
  CONSUMER_RETRY,
  CONSUMER_SESSION_TIMEOUT_MS,
  PRODUCER_RETRY,
} from './kafkajs-retry.ts';
import { retryLimits, type RetryPolicy } from './retry-policy.ts';

/** A message as handlers receive it: declared by the event contract. */
export type { ConsumedMessage };

export type MessageHandler = (message: ConsumedMessage) => Promise<void>;
export type BatchHandler = (
  messages: ConsumedMessage[],
  context: { topic: string; partition: number },
) => Promise<void>;

interface CommonOptions extends KafkaConnection {
  clientId: string;
  groupId: string;
  topics: string[];
  /** Where a new group starts: the beginning (default), so nothing published before it is missed. */
  fromBeginning?: boolean;
  retry?: RetryPolicy;
  deadLetterTopicFor?: (topic: string) => string;
  partitionsConsumedConcurrently?: number;
  /**
   * Upper bounds of one fetch, in bytes: of the whole response (`maxBytes`) and of each partition
   * in it (`maxBytesPerPartition`). They bound the memory a backlog can take, since kafkajs holds a
   * fetched response until every partition's batch in it is handled. Defaults: kafkajs's (10 MiB, 1 MiB).
   */
  fetch?: { maxBytes?: number; maxBytesPerPartition?: number };
  /**
   * How the group shares partitions, in order of preference. Default: with several topics, the
   * co-partitioning assigner (partition p of every topic to one member, so that one key's events
   * on several topics meet in one instance), then round-robin; with one topic, round-robin.
   */
  partitionAssigners?: PartitionAssigner[];
  /**
   * How long the group waits for a silent member, and so how soon the consumer resumes after a
   * broker restart (see CONSUMER_SESSION_TIMEOUT_MS). The broker refuses a session below its
   * `group.min.session.timeout.ms` (6 s unless configured lower).
   */
  sessionTimeoutMs?: number;
  logger?: Logger;
}

export type ConsumerRunnerOptions = CommonOptions &
  (
    | { mode?: 'message'; handler: MessageHandler }
    | {
        mode: 'batch';
        handler: BatchHandler;
        /**
         * Hand the handler the batches of all partitions handled at once (one fetch, up to
         * `partitionsConsumedConcurrently`) in one call; its `context` is then the first batch's.
         */
        coalescePartitions?: boolean;
      }
  );

export interface ConsumerRunner {
  /** Connects, subscribes and resolves once the consumer has joined its group and runs. */
  start(): Promise<void>;
  /** Finishes the message in hand, commits, leaves the group and disconnects. */
  stop(): Promise<void>;
  stats(): ConsumerRunnerStats;
}

/** How long `start()` waits for the group join before failing. */
const JOIN_TIMEOUT_MS = 60_000;
const FETCH_MAX_WAIT_MS = 500;

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

/** Creates a runner; nothing connects until `start()`. */
export function createConsumerRunner(options: ConsumerRunnerOptions): ConsumerRunner {
  const {
    brokers,
    security,
    clientId,
    groupId,
    topics,
    fromBeginning = true,
    retry = {},
    deadLetterTopicFor = defaultDeadLetterTopicFor,
    partitionsConsumedConcurrently = 1,
    partitionAssigners = topics.length > 1
      ? [coPartitionedAssigner, PartitionAssigners.roundRobin]
      : [PartitionAssigners.roundRobin],
    logger = silentLogger,
  } = options;
  const log = logger.child({ component: 'consumer', groupId });
  const kafka = createKafkaClient({ brokers, security, clientId, logger });
  const stats = initialRunnerStats();
  let consumer: Consumer | undefined;
  let deadLetterProducer: Producer | undefined;
  let stopping = false;
  /** Ends a start() that waits for its group join, when stop() overtakes it. */
  let wakeStart: (() => void) | undefined;

  /** A consumer may start before anything was published: subscribing to a missing topic fails. */
  async function createMissingTopics(): Promise<void> {
    const admin = kafka.admin();
    try {
      await admin.connect();
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((topic) => !existing.has(topic));
      if (missing.length > 0) {
        await admin.createTopics({ topics: missing.map((topic) => ({ topic })), waitForLeaders: true });
      }
    } finally {
      await admin.disconnect();
    }
  }

  const processBatch = createBatchProcessor<ConsumedMessage>({
    mode: options.mode ?? 'message',
    handle: (messages, where) =>
      options.mode === 'batch' ? options.handler(messages, where) : options.handler(messages[0]),
    async sendDeadLetter(topic, record) {
      deadLetterProducer ??= kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: true,
        retry: PRODUCER_RETRY,
      });
      await deadLetterProducer.connect();
      await deadLetterProducer.send({ topic, acks: -1, messages: [record] });
    },
    coalesce: options.mode === 'batch' && options.coalescePartitions === true,
    deadLetterTopicFor,
    limits: retryLimits(retry),
    groupId,
    clientId,
    stats,
    isStopping: () => stopping,
    log,
  });

  return {
    async start() {
      stopping = false;
      // A short fetch wait keeps `stop()` quick (kafkajs waits for the fetch in flight); idle fetches stay cheap.
      const created = kafka.consumer({
        groupId,
        allowAutoTopicCreation: true,
        maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
        ...(options.fetch?.maxBytes === undefined ? {} : { maxBytes: options.fetch.maxBytes }),
        ...(options.fetch?.maxBytesPerPartition === undefined
          ? {}
          : { maxBytesPerPartition: options.fetch.maxBytesPerPartition }),
        partitionAssigners,
        sessionTimeout: options.sessionTimeoutMs ?? CONSUMER_SESSION_TIMEOUT_MS,
        heartbeatInterval: CONSUMER_HEARTBEAT_INTERVAL_MS,
        // Once stop() has retired this consumer, a crash must not bring it back.
        retry: { ...CONSUMER_RETRY, restartOnFailure: () => Promise.resolve(consumer === created) },
      });
      consumer = created;
      const retired = (): boolean => consumer !== created;
      let timer: NodeJS.Timeout | undefined;
      let refuse: (error: KafkaError) => void = () => {};
      const joined = new Promise<void>((resolve, reject) => {
        wakeStart = resolve;
        refuse = reject;
        timer = setTimeout(() => {
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
          // A restart kafkajs began before stop() retired this consumer ends here.
          if (retired()) {
            void created.disconnect().catch(() => undefined);
          }
          resolve();
        });
      });
      created.on(created.events.CRASH, (event) => {
        // A consumer stop() retired is not restarted on purpose: nothing to report.
        if (retired()) {
          return;
        }
        stats.lastError = errorCodeOf(event.payload.error);
        // Refused by the broker's ACLs or SASL: waiting for the join cannot help, say why now.
        const refusal = accessRefusal(event.payload.error);
        if (refusal !== undefined) {
          refuse(
            new KafkaError('CONNECTION_FAILED', `consumer group ${groupId} was refused: ${refusal}`, {
              retriable: false,
              cause: event.payload.error,
            }),
          );
        }
        log[crashLogLevel(event.payload.error, event.payload.restart)](
          'consumer crashed; kafkajs restarts it',
          {
            error: errorCodeOf(event.payload.error),
            restart: event.payload.restart,
          },
        );
      });
      // A start that fails or is overtaken by stop() leaves nothing running behind it.
      const abandon = async (): Promise<void> => {
        clearTimeout(timer);
        if (consumer === created) {
          consumer = undefined;
        }
        await created.disconnect().catch(() => undefined);
      };
      const steps: (() => Promise<unknown>)[] = [
        createMissingTopics,
        () => created.connect(),
        () => created.subscribe({ topics, fromBeginning }),
        () =>
          created.run({
            eachBatchAutoResolve: false,
            autoCommit: true,
            partitionsConsumedConcurrently,
            // A retired consumer may still finish a join kafkajs had under way: it hands nothing
            // over and resolves no offset, so the group's next member gets those messages.
            eachBatch: (payload) =>
              retired()
                ? Promise.resolve()
                : processBatch(
                    payload.batch.messages.map((m) =>
                      toConsumed(payload.batch.topic, payload.batch.partition, m),
                    ),
                    payload.batch,
                    payload,
                  ),
          }),
        () => joined,
      ];
      try {
        for (const step of steps) {
          if (retired()) {
            break;
          }
          await step();
        }
      } catch (error) {
        // stop() during the start ends it; with SASL that surfaces as a sign-in cut short.
        const stoppedMeanwhile = retired();
        await abandon();
        if (stoppedMeanwhile) {
          return;
        }
        if (error instanceof KafkaError) {
          throw error;
        }
        throw new KafkaError('CONNECTION_FAILED', `could not start consumer group ${groupId}`, {
          retriable: true,
          cause: error,
        });
      }
      if (retired()) {
        await abandon();
        return;
      }
      stats.running = true;
    },
    async stop() {
      stopping = true;
      wakeStart?.();
      wakeStart = undefined;
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

/**
 * Starts `runner`, shown to `track` first so that a stop during the group join reaches it. A start
 * that fails stops what it began (a half-joined group), hands `track` undefined, and throws.
 */
export async function startConsumerRunner(
  runner: ConsumerRunner,
  track: (current: ConsumerRunner | undefined) => void,
): Promise<ConsumerRunner> {
  track(runner);
  try {
    await runner.start();
    return runner;
  } catch (error) {
    track(undefined);
    await runner.stop().catch(() => undefined);
    throw error;
  }
}
