import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';

/** The brokers the global set-up chose (KAFKA_BROKERS, testcontainers or the local broker). */
export function testKafkaBrokers(): string[] {
  return inject('kafkaBrokers').split(',');
}

/** A topic, group or schema name no other test uses: `prefix-<uuid>`. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}
