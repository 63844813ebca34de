import { silentLogger, type Logger } from '@oncoimg/telemetry';
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import { kafkajsLogLevel } from './kafkajs-log.ts';
import { kafkajsSecurity, type KafkaConnection } from './kafka-security.ts';

export interface KafkaClientOptions extends KafkaConnection {
  clientId: string;
  logger?: Logger;
  connectionTimeoutMs?: number;
}

/**
 * kafkajs logs through our logger, at warn and above only: its info lines are per-connection
 * chatter. Log entries carry broker addresses and group ids, never message keys or values.
 */
export function createKafkaClient({
  brokers,
  clientId,
  logger = silentLogger,
  connectionTimeoutMs = 3_000,
  security,
}: KafkaClientOptions): Kafka {
  const log = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId,
    brokers,
    connectionTimeout: connectionTimeoutMs,
    ...kafkajsSecurity(security),
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
      log[kafkajsLogLevel(entry)](`kafkajs: ${entry.log.message}`, {
        logger: text(entry.log.logger),
        broker: text(entry.log.broker),
        groupId: text(entry.log.groupId),
        error: text(entry.log.error),
      });
    },
  });
}
