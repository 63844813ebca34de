import { silentLogger, type Logger } from '@oncoimg/telemetry';
import { Kafka, logLevel, type LogEntry } from 'kafkajs';

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  logger?: Logger;
  connectionTimeoutMs?: number;
}

/**
 * kafkajs logs through our logger, at warn and above only: its info lines are per-connection
 * chatter. Log entries carry broker addresses and group ids, never message keys or values.
 */
const LIMITED_RETRIES_WARNING = 'Limiting retries for the idempotent producer may invalidate EoS guarantees';

export function createKafkaClient({
  brokers,
  clientId,
  logger = silentLogger,
  connectionTimeoutMs = 3_000,
}: KafkaClientOptions): Kafka {
  const log = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId,
    brokers,
    connectionTimeout: connectionTimeoutMs,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
        const fields = {
          logger: text(entry.logger),
          broker: text(entry.broker),
          groupId: text(entry.groupId),
          error: text(entry.error),
        };
        const message = `kafkajs: ${entry.message}`;
        // Deliberate: the outbox relay retries a failed send itself and consumers drop
        // duplicate versions, so the producer's bounded retries are not a data risk.
        if (entry.message === LIMITED_RETRIES_WARNING) log.debug(message, fields);
        else if (level === logLevel.ERROR) log.error(message, fields);
        else if (level === logLevel.WARN) log.warn(message, fields);
        else log.debug(message, fields);
      },
  });
}

/** kafkajs header values (Buffer, string, arrays) as the strings our events use. */
export function headersToStrings(
  headers: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const value = Array.isArray(raw) ? raw.at(-1) : raw;
    if (value !== undefined) result[name] = value.toString();
  }
  return result;
}
