import { randomUUID } from 'node:crypto';
import { kafkaSecurityEnv, type KafkaConnection, type KafkaSecurity } from '@oncoimg/kafka';
import type { TopicNames } from '@oncoimg/fhir-events';
import { inject } from 'vitest';

/** The brokers the global set-up chose (KAFKA_BROKERS, testcontainers or the local broker). */
export function testKafkaBrokers(): string[] {
  return inject('kafkaBrokers').split(',');
}

/** The super user's credentials on those brokers; undefined when they take PLAINTEXT. */
export function testKafkaSecurity(): KafkaSecurity | undefined {
  return inject('kafkaSecurity');
}

/** Brokers and credentials together, as every factory of @oncoimg/kafka takes them. */
export function testKafka(): KafkaConnection {
  const security = testKafkaSecurity();
  return security ? { brokers: testKafkaBrokers(), security } : { brokers: testKafkaBrokers() };
}

/** KAFKA_BROKERS and KAFKA_SASL_* for a service or tool the test runs as a process. */
export function testKafkaEnv(): Record<string, string> {
  return { KAFKA_BROKERS: inject('kafkaBrokers'), ...kafkaSecurityEnv(testKafkaSecurity()) };
}

/** A topic, group or schema name no other test uses: `prefix-<uuid>`. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

/** One run's own topic names, all five roles, so runs never see each other's events. */
export function uniqueTopics(prefix: string): TopicNames {
  const run = uniqueName(prefix);
  return {
    serviceRequest: `${run}.servicerequest`,
    imagingStudy: `${run}.imagingstudy`,
    diagnosticReport: `${run}.diagnosticreport`,
    timeline: `${run}.timeline`,
    audit: `${run}.audit`,
  };
}
