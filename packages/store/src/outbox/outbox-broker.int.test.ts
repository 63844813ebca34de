import { createEventProducer, ensureTopics, readMaxMessageBytes, type EventProducer } from '@oncoimg/kafka';
import {
  openTestDatabase,
  readTopic,
  testDatabaseTargets,
  testKafkaBrokers,
  testKafkaSecurity,
  uniqueName,
} from '@oncoimg/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../database.ts';
import { migrate } from '../migrate.ts';
import { listOutboxDeadLetters } from './dead-letter-rows.ts';
import { enqueueOutbox, type OutboxMessage } from './enqueue-outbox.ts';
import { createOutboxRelay, type OutboxProducer, type OutgoingOutboxMessage } from './outbox-relay.ts';
import { outboxMigrations } from './outbox.migrations.ts';
import { outboxSendLimits } from './send-batches.ts';

/** A topic limit far under the broker default, so that a backfill that overflows it stays small and fast. */
const TOPIC_MAX_MESSAGE_BYTES = 64 * 1024;
const ROW_BYTES = 20_000;
const brokers = testKafkaBrokers();
const security = testKafkaSecurity();
let producer: EventProducer;
let db: Database;

/** Our producer, counting calls and the bytes of each call. */
function countingProducer() {
  const calls: number[] = [];
  const counting: OutboxProducer & { calls: number[] } = {
    calls,
    async send(topic: string, messages: OutgoingOutboxMessage[]) {
      calls.push(messages.reduce((sum, m) => sum + m.value.length, 0));
      await producer.send(topic, messages);
    },
  };
  return counting;
}

/** A study-sized event for patient `p`, exam `n`: a large FHIR resource as a backfill brings. */
function largeEvent(topic: string, p: number, n: number, bytes = ROW_BYTES): OutboxMessage {
  const id = `p${String(p)}-e${String(n)}`;
  return {
    topic,
    key: `patient-${String(p)}`,
    value: JSON.stringify({ id, pad: 'x'.repeat(bytes) }),
    headers: { ce_id: id },
  };
}

async function freshTopic(): Promise<string> {
  const topic = uniqueName('outbox-large');
  await ensureTopics({
    brokers,
    security,
    topics: [topic],
    config: { 'max.message.bytes': String(TOPIC_MAX_MESSAGE_BYTES) },
  });
  return topic;
}

beforeAll(async () => {
  producer = createEventProducer({ brokers, security, clientId: 'outbox-broker-int-test' });
  await producer.connect();
});
afterAll(async () => {
  await producer.disconnect();
});
describe.each(testDatabaseTargets())('outbox relay against the broker, on $name', (target) => {
  beforeEach(async () => {
    db = await openTestDatabase(target);
    await migrate(db, outboxMigrations);
  });
  afterEach(async () => {
    await db.close();
  });

  it('drains a backfill of large rows in sends that each fit the topic limit, each row once', async () => {
    const topic = await freshTopic();
    const events = Array.from({ length: 60 }, (_, i) => largeEvent(topic, i % 4, i));
    await db.transaction((tx) => enqueueOutbox(tx, events));
    const counting = countingProducer();
    const limit = await readMaxMessageBytes({ brokers, security, topics: [topic] });
    expect(limit).toBe(TOPIC_MAX_MESSAGE_BYTES);
    const relay = createOutboxRelay({ db, producer: counting, ...outboxSendLimits(limit ?? 0) });
    const reader = await readTopic(brokers, topic);
    try {
      expect(await relay.flush({ timeoutMs: 60_000 })).toBe(60);
      const seen = (await reader.waitFor(60)).map((m) => m.headers.ce_id);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(reader.messages).toHaveLength(60);
      expect(new Set(seen).size).toBe(60);
      expect(Math.max(...counting.calls)).toBeLessThan(TOPIC_MAX_MESSAGE_BYTES);
      expect((await relay.readStatus()).backlog).toBe(0);
    } finally {
      await reader.stop();
    }
  });

  it('splits sends the broker refuses when the byte budget is above the topic limit, and still drains', async () => {
    const topic = await freshTopic();
    // One patient: every row goes to one partition, so a refused call was written nowhere.
    const events = Array.from({ length: 20 }, (_, i) => largeEvent(topic, 0, i));
    await db.transaction((tx) => enqueueOutbox(tx, events));
    const relay = createOutboxRelay({ db, producer: countingProducer() });
    const reader = await readTopic(brokers, topic);
    try {
      expect(await relay.flush({ timeoutMs: 60_000 })).toBe(20);
      await reader.waitFor(20);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(reader.messages.map((m) => m.headers.ce_id)).toEqual(events.map((e) => e.headers?.ce_id));
      expect(relay.status().deadLettered).toBe(0);
    } finally {
      await reader.stop();
    }
  });

  it('puts aside a row the broker refuses even alone, with the reason, and publishes the rows behind it', async () => {
    const topic = await freshTopic();
    const events = [
      largeEvent(topic, 1, 1),
      largeEvent(topic, 1, 2, 2 * TOPIC_MAX_MESSAGE_BYTES),
      largeEvent(topic, 1, 3),
      largeEvent(topic, 2, 4),
    ];
    await db.transaction((tx) => enqueueOutbox(tx, events));
    const relay = createOutboxRelay({ db, producer: countingProducer(), maxSendBytes: 56 * 1024 });
    const reader = await readTopic(brokers, topic);
    try {
      expect(await relay.flush({ timeoutMs: 60_000 })).toBe(3);
      await reader.waitFor(3);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const ofPatient = (key: string) =>
        reader.messages.filter((m) => m.key === key).map((m) => m.headers.ce_id);
      expect(ofPatient('patient-1')).toEqual(['p1-e1', 'p1-e3']);
      expect(ofPatient('patient-2')).toEqual(['p2-e4']);
      expect(reader.messages).toHaveLength(3);
      const status = await relay.readStatus();
      expect(status).toMatchObject({ backlog: 0, deadLettered: 1 });
      expect(status.lastDeadLetterReason).toMatch(/^MESSAGE_TOO_LARGE: /);
      const [aside] = await listOutboxDeadLetters(db);
      expect(aside).toMatchObject({ topic, messageKey: 'patient-1', headers: { ce_id: 'p1-e2' } });
      expect(aside.reason).toBe(status.lastDeadLetterReason);
      expect(aside.bytes).toBeGreaterThan(TOPIC_MAX_MESSAGE_BYTES);
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE id = $1', [
        aside.id,
      ]);
      expect(rows[0]?.n).toBe(0);
    } finally {
      await reader.stop();
    }
  });
});
