import { DEFAULT_TOPICS, type TopicNames } from '@oncoimg/fhir-events';
import { ensureTopics, type EventProducer } from '@oncoimg/kafka';
import type { Database } from '@oncoimg/store';
import {
  openTestDatabase,
  testAuth,
  testKafkaBrokers,
  testKafkaSecurity,
  uniqueName,
  uniqueTopics as uniqueTopicNames,
  type DatabaseTarget,
} from '@oncoimg/testing';
import { personaMessages, type PersonaEvent } from '@oncoimg/testing/personas';
import {
  createTimelineService,
  type TimelineService,
  type TimelineServiceOptions,
} from './timeline-service.ts';

/** Fresh topics for one test, so runs never see each other's events. */
export function uniqueTopics(): TopicNames {
  return uniqueTopicNames('tl');
}

/** Publishes persona events on the run's topics, as the intake services would. */
export async function publishEvents(
  producer: EventProducer,
  topics: TopicNames,
  events: readonly PersonaEvent[],
): Promise<number> {
  const roleOf: Record<string, keyof TopicNames> = {
    [DEFAULT_TOPICS.serviceRequest]: 'serviceRequest',
    [DEFAULT_TOPICS.imagingStudy]: 'imagingStudy',
    [DEFAULT_TOPICS.diagnosticReport]: 'diagnosticReport',
  };
  const messages = personaMessages(events);
  for (const message of messages) {
    await producer.send(topics[roleOf[message.topic] ?? 'serviceRequest'], [
      { key: message.key ?? '', value: message.value ?? '', headers: message.headers },
    ]);
  }
  return messages.length;
}

export interface TestTimeline {
  db: Database;
  service: TimelineService;
  topics: TopicNames;
  /** `http://127.0.0.1:<port>` */
  base: string;
}

/** A timeline service on fresh topics of the real broker and a fresh database, accepting the test issuer's tokens. */
export async function startTestTimeline(
  target: DatabaseTarget,
  options: Pick<TimelineServiceOptions, 'unreportedAfterMs'> = {},
): Promise<TestTimeline> {
  const brokers = testKafkaBrokers();
  const security = testKafkaSecurity();
  const topics = uniqueTopics();
  await ensureTopics({ brokers, security, topics: Object.values(topics), numPartitions: 3 });
  const db = await openTestDatabase(target);
  const service = createTimelineService({
    access: (await testAuth()).access,
    db,
    brokers,
    kafkaSecurity: security,
    port: 0,
    topics,
    groupId: uniqueName('timeline'),
    ...options,
  });
  const { port } = await service.start();
  return { db, service, topics, base: `http://127.0.0.1:${String(port)}` };
}
