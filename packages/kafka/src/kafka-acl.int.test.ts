/**
 * The local broker's credentials and ACLs, on a broker of its own (SASL/SCRAM-SHA-512 and Kafka's
 * StandardAuthorizer, as `npm start` runs it): each refusal next to the same call that succeeds.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TOPICS } from '@oncoimg/fhir-events';
import { credentialsPath, startKafkaBroker, type KafkaBroker, type Principal } from '@oncoimg/kafka-local';
import { freePortPair, uniqueName } from '@oncoimg/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTopics, probeKafka } from './admin.ts';
import { createConsumerRunner, type ConsumedMessage } from './consumer-runner.ts';
import { createEventProducer } from './event-producer.ts';
import type { KafkaSecurity } from './kafka-security.ts';

const order = { key: 'patient-key-1', value: '{"resourceType":"ServiceRequest"}', headers: {} };

/** The kafkajs error codes anywhere in an error's cause chain (KafkaError → kafkajs retry → broker error). */
function errorTypes(error: unknown): string[] {
  const types: string[] = [];
  for (let at: unknown = error; typeof at === 'object' && at !== null;) {
    const { type, cause, originalError } = at as { type?: unknown; cause?: unknown; originalError?: unknown };
    if (typeof type === 'string') {
      types.push(type);
    }
    at = cause ?? originalError;
  }
  return types;
}

describe('Kafka credentials and ACLs of the local broker', () => {
  let dataDir: string;
  let broker: KafkaBroker;
  let brokers: string[];
  const as = (principal: Principal): KafkaSecurity => {
    const { username, password } = broker.credentials.principals[principal];
    return { sasl: { mechanism: 'scram-sha-512', username, password } };
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'oncoimg-kafka-acl-'));
    const port = await freePortPair();
    broker = await startKafkaBroker({ port, dataDir });
    brokers = [broker.brokers];
  });

  afterAll(async () => {
    await broker.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps the generated passwords in an owner-only file', async () => {
    expect((await stat(credentialsPath(dataDir))).mode & 0o777).toBe(0o600);
    expect(broker.credentials.principals.tools.password).toMatch(/^[\w-]{32}$/);
  });

  it('refuses a client without credentials and one with a wrong password, and lets the right one in', async () => {
    expect(await probeKafka({ brokers, timeoutMs: 3_000 })).toBe(false);
    const wrong = as('tools');
    wrong.sasl = { ...wrong.sasl!, password: 'not-the-password' };
    expect(await probeKafka({ brokers, security: wrong, timeoutMs: 3_000 })).toBe(false);
    expect(await probeKafka({ brokers, security: as('tools'), timeoutMs: 3_000 })).toBe(true);
  });

  it("lets the order service write its own topic and refuses it the study service's", async () => {
    const security = as('order-service');
    await ensureTopics({ brokers, security, topics: [DEFAULT_TOPICS.serviceRequest] });
    await ensureTopics({ brokers, security: as('admin'), topics: [DEFAULT_TOPICS.imagingStudy] });
    const producer = createEventProducer({ brokers, security, clientId: 'order-service' });
    try {
      await producer.send(DEFAULT_TOPICS.serviceRequest, [order]);
      const refused = await producer.send(DEFAULT_TOPICS.imagingStudy, [order]).then(
        () => [],
        (error: unknown) => errorTypes(error),
      );
      expect(refused).toContain('TOPIC_AUTHORIZATION_FAILED');
    } finally {
      await producer.disconnect();
    }
  });

  it('lets the tools principal read a topic under its own group, and the timeline service its inputs and the audit trail under its own', async () => {
    const producer = createEventProducer({
      brokers,
      security: as('order-service'),
      clientId: 'order-service',
    });
    // The order service creates the audit topic when it is the first to write it.
    await ensureTopics({ brokers, security: as('order-service'), topics: [DEFAULT_TOPICS.audit] });
    await producer.send(DEFAULT_TOPICS.serviceRequest, [order]);
    await producer.send(DEFAULT_TOPICS.audit, [order]);
    await producer.disconnect();
    for (const [principal, groupId, topic] of [
      ['tools', uniqueName('oncoimg-cli'), DEFAULT_TOPICS.serviceRequest],
      ['timeline-service', 'oncoimg-timeline-service', DEFAULT_TOPICS.serviceRequest],
      ['timeline-service', 'oncoimg-timeline-service.audit', DEFAULT_TOPICS.audit],
    ] as const) {
      const read: ConsumedMessage[] = [];
      const runner = createConsumerRunner({
        brokers,
        security: as(principal),
        clientId: principal,
        groupId,
        topics: [topic],
        handler: async (message) => {
          read.push(message);
          await Promise.resolve();
        },
      });
      await runner.start();
      try {
        const deadline = Date.now() + 30_000;
        while (read.length === 0 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(read.at(0)?.key, `${principal} reading ${topic}`).toBe(order.key);
      } finally {
        await runner.stop();
      }
    }
  });

  it("refuses the tools principal a group that is not its own (the timeline service's)", async () => {
    const runner = createConsumerRunner({
      brokers,
      security: as('tools'),
      clientId: 'tools',
      groupId: 'oncoimg-timeline-service',
      topics: [DEFAULT_TOPICS.serviceRequest],
      handler: () => Promise.resolve(),
    });
    const refused = await runner.start().then(
      () => [],
      (error: unknown) => errorTypes(error),
    );
    await runner.stop().catch(() => undefined);
    expect(refused).toContain('GROUP_AUTHORIZATION_FAILED');
  });
});
