import { ensureTopics } from '@oncoimg/kafka';
import type { Database } from '@oncoimg/store';
import {
  openTestDatabase,
  readTopic,
  testKafkaBrokers,
  uniqueName,
  type DatabaseTarget,
  type TopicReader,
  testAuth,
} from '@oncoimg/testing';
import { afterEach } from 'vitest';
import { createIntakeService, type IntakeService } from './intake-service.ts';
import { intakeIssue, type IntakeRules } from './intake-rules.ts';

export const brokers = testKafkaBrokers();

/** Stands for a service's own rules (services/<name>/src/*.intake-rules.ts). */
const testOrderRules: IntakeRules<'ServiceRequest'> = {
  resourceType: 'ServiceRequest',
  check: (order) =>
    order.status === ('bogus' as string) ? [intakeIssue('unknown status', 'ServiceRequest.status')] : [],
};
export const FHIR = { 'content-type': 'application/fhir+json' };

export function withoutMeta<T extends { meta?: unknown; id?: string }>(resource: T): T {
  const { meta: _meta, ...rest } = resource;
  return rest as T;
}

/** An intake service on real Kafka and `target`, started afresh by each test and stopped after it. */
export function useIntakeService(target: DatabaseTarget) {
  let db: Database;
  let service: IntakeService;
  let base: string;
  let topic: string;
  let reader: TopicReader;

  async function start(resourceType: 'ServiceRequest' | 'ImagingStudy', bodyLimitBytes?: number) {
    topic = uniqueName('intake');
    await ensureTopics({ brokers, topics: [topic], numPartitions: 1 });
    db = await openTestDatabase(target);
    service = createIntakeService({
      access: (await testAuth()).access,
      name: 'test-service',
      resourceType,
      ...(resourceType === 'ServiceRequest' ? { rules: testOrderRules } : {}),
      db,
      brokers,
      topics: {
        ...(resourceType === 'ServiceRequest' ? { serviceRequest: topic } : { imagingStudy: topic }),
        audit: `${topic}.audit`,
      },
      ...(bodyLimitBytes ? { bodyLimitBytes } : {}),
    });
    const { port } = await service.start();
    base = `http://127.0.0.1:${String(port)}`;
    reader = await readTopic(brokers, topic);
  }

  /** Events of the resource topic in the outbox (audit records are counted apart). */
  async function storedCount(): Promise<number> {
    const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM outbox WHERE topic = $1', [
      topic,
    ]);
    return Number(rows[0]?.n ?? 0);
  }

  afterEach(async () => {
    await reader.stop();
    await service.stop();
    await db.close();
  });

  return {
    get base(): string {
      return base;
    },
    get reader(): TopicReader {
      return reader;
    },
    start,
    storedCount,
  };
}
