import { kafkajsSecurity, type KafkaSecurity } from '@oncoimg/kafka';
import { Kafka, logLevel, type Admin, type Message } from 'kafkajs';
import { CliError, describeError } from './errors.ts';

/**
 * A short connection timeout and few retries: an engineer at a terminal should learn within
 * seconds that the broker is unreachable, not after kafkajs's default half minute.
 */
const CONNECTION_TIMEOUT_MS = 3_000;
const RETRY = { retries: 3, initialRetryTime: 200, maxRetryTime: 2_000 };

/** The kafkajs client of one command; kafkajs's own logging is off, failures reach stderr as errors. */
export function createCliKafka(brokers: string[], security: KafkaSecurity, clientId = 'oncoimg-cli'): Kafka {
  return new Kafka({
    clientId,
    brokers,
    ...kafkajsSecurity(security),
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    logLevel: logLevel.NOTHING,
    retry: RETRY,
  });
}

/** Turns a kafkajs failure into an error that names what was being done and where. */
export function kafkaFailure(error: unknown, brokers: string[], what: string): CliError {
  if (error instanceof CliError) {
    return error;
  }
  return new CliError('KAFKA_FAILED', `${what} failed on ${brokers.join(',')}: ${describeError(error)}`, {
    retriable: true,
    cause: error,
  });
}

/** Runs `work` with a connected admin client, always disconnecting it. */
export async function withAdmin<T>(
  kafka: Kafka,
  brokers: string[],
  what: string,
  work: (admin: Admin) => Promise<T>,
): Promise<T> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    return await work(admin);
  } catch (error) {
    throw kafkaFailure(error, brokers, what);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** Fails with NOT_FOUND naming the first topic that does not exist. */
export async function requireTopics(admin: Admin, topics: readonly string[]): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((topic) => !existing.has(topic));
  if (missing.length > 0) {
    throw new CliError('NOT_FOUND', `topic ${missing.join(', ')} does not exist`, { retriable: false });
  }
}

/** Sends messages to a topic, acknowledged by every in-sync replica; `what` names a failure. */
export type Republish = (topic: string, messages: Message[], what: string) => Promise<void>;

/**
 * Runs `work` with the producer of the commands that re-publish (replay, redrive): idempotent, never
 * creating topics, always disconnected afterwards.
 */
export async function withProducer<T>(
  kafka: Kafka,
  brokers: string[],
  work: (republish: Republish) => Promise<T>,
): Promise<T> {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  try {
    await producer.connect();
  } catch (error) {
    throw kafkaFailure(error, brokers, 'connecting the producer');
  }
  try {
    return await work(async (topic, messages, what) => {
      try {
        await producer.send({ topic, acks: -1, messages });
      } catch (error) {
        throw kafkaFailure(error, brokers, what);
      }
    });
  } finally {
    await producer.disconnect().catch(() => {});
  }
}
