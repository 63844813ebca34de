/**
 * How kafkajs's own log lines map to our levels. kafkajs logs at `error` conditions it then
 * retries and gets over by itself, e.g. every start after the broker's while its group coordinator
 * loads. Those are warnings: an `error` line should need a person.
 */
import type { LogLevel } from '@oncoimg/telemetry';
import { logLevel, type LogEntry } from 'kafkajs';

/**
 * Broker answers that settle on their own: a coordinator or partition leader that is being
 * elected or loaded, metadata that lags a topic just created, a group rebalancing. kafkajs retries
 * each (or rejoins the group); if it never settles, the operation fails and our code reports that.
 * Keys are kafkajs's type names (Kafka's COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE
 * and NOT_COORDINATOR are kafkajs's GROUP_*), values the messages kafkajs gives them, which is all
 * a log entry carries.
 */
export const SELF_RESOLVING_KAFKA_ERRORS = {
  GROUP_LOAD_IN_PROGRESS: "The coordinator is loading and hence can't process requests for this group",
  GROUP_COORDINATOR_NOT_AVAILABLE: 'The group coordinator is not available',
  NOT_COORDINATOR_FOR_GROUP: 'This is not the correct coordinator for this group',
  LEADER_NOT_AVAILABLE:
    'There is no leader for this topic-partition as we are in the middle of a leadership election',
  UNKNOWN_TOPIC_OR_PARTITION: 'This server does not host this topic-partition',
  REBALANCE_IN_PROGRESS: 'The group is rebalancing, so a rejoin is needed',
} as const;

const selfResolvingTypes = new Set<string>(Object.keys(SELF_RESOLVING_KAFKA_ERRORS));
const selfResolvingMessages: readonly string[] = Object.values(SELF_RESOLVING_KAFKA_ERRORS);

/** kafkajs's warning when a producer's retries are limited. */
const LIMITED_RETRIES_WARNING = 'Limiting retries for the idempotent producer may invalidate EoS guarantees';

/** kafkajs's line after every consumer crash it recovers from; the crash itself is logged apart. */
const RESTARTING_CONSUMER = /^Restarting the consumer in \d+ms$/;

function mentionsSelfResolving(text: unknown): boolean {
  return typeof text === 'string' && selfResolvingMessages.some((message) => text.includes(message));
}

/**
 * Whether `error`, or an error it wraps (`cause`, as kafkajs's retries-exceeded error does), is a
 * kafkajs protocol error that settles on its own.
 */
export function isSelfResolvingKafkaError(error: unknown): boolean {
  for (let current = error, depth = 0; depth < 10; depth += 1) {
    if (typeof current !== 'object' || current === null) {
      return false;
    }
    const { type, cause } = current as { type?: unknown; cause?: unknown };
    if (typeof type === 'string' && selfResolvingTypes.has(type)) {
      return true;
    }
    current = cause;
  }
  return false;
}

/** Our level for one kafkajs log entry. */
export function kafkajsLogLevel({ level, log: entry }: Pick<LogEntry, 'level' | 'log'>): LogLevel {
  // Deliberate: the outbox relay retries a failed send itself and consumers drop
  // duplicate versions, so the producer's bounded retries are not a data risk.
  if (entry.message === LIMITED_RETRIES_WARNING) {
    return 'debug';
  }
  if (level === logLevel.ERROR) {
    const selfResolving =
      mentionsSelfResolving(entry.error) ||
      mentionsSelfResolving(entry.message) ||
      RESTARTING_CONSUMER.test(entry.message);
    return selfResolving ? 'warn' : 'error';
  }
  if (level === logLevel.WARN) {
    return 'warn';
  }
  return 'debug';
}

/** Our level for a consumer crash: kafkajs restarting it after a self-resolving error is a warning. */
export function crashLogLevel(error: unknown, restart: boolean): LogLevel {
  return restart && isSelfResolvingKafkaError(error) ? 'warn' : 'error';
}
