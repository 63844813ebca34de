import type { ServiceRequest } from '@medplum/fhirtypes';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { context, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { buildImagingEvent, encodeEvent } from '@oncoimg/fhir-events';
import { testKafkaBrokers, testKafkaSecurity, uniqueName } from '@oncoimg/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureTopics } from './admin.ts';
import { createConsumerRunner, type ConsumedMessage, type ConsumerRunner } from './consumer-runner.ts';
import { NonRetriableError, RetriableError } from './errors.ts';
import { createEventProducer, type EventProducer } from './event-producer.ts';

const order: ServiceRequest = {
  resourceType: 'ServiceRequest',
  id: 'order-1',
  meta: { versionId: '1', lastUpdated: '2025-02-01T08:00:00.000Z' },
  status: 'active',
  intent: 'order',
  code: { text: 'CT chest' },
  subject: { identifier: { system: 'urn:oid:2.16.840.1.113883.19.5', value: 'MRN-001' } },
};

const brokers = testKafkaBrokers();
const security = testKafkaSecurity();
const exporter = new InMemorySpanExporter();
let producer: EventProducer;
const runners: ConsumerRunner[] = [];

/** Collects what a handler saw, and resolves once `count` messages arrived. */
function collector(count: number) {
  const seen: ConsumedMessage[] = [];
  let done: () => void = () => {};
  const arrived = new Promise<void>((resolve) => {
    done = resolve;
  });
  return {
    seen,
    arrived,
    record(message: ConsumedMessage) {
      seen.push(message);
      if (seen.length >= count) {
        done();
      }
    },
  };
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms)),
  ]);
}

async function startRunner(options: Parameters<typeof createConsumerRunner>[0]): Promise<ConsumerRunner> {
  const runner = createConsumerRunner(options);
  runners.push(runner);
  await runner.start();
  return runner;
}

beforeAll(async () => {
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  producer = createEventProducer({ brokers, security, clientId: 'kafka-int-test' });
  await producer.connect();
});

afterEach(async () => {
  await Promise.all(runners.splice(0).map((runner) => runner.stop()));
  exporter.reset();
});

afterAll(async () => {
  await producer.disconnect();
  trace.disable();
  context.disable();
  propagation.disable();
});

describe('Kafka producer and consumer runner on a real broker', () => {
  it('a ServiceRequest comes back with the patient as key, every CloudEvents header and the same JSON', async () => {
    const topic = uniqueName('sr');
    await ensureTopics({ brokers, security, topics: [topic] });
    const event = buildImagingEvent({ resource: order, action: 'created', source: 'oncoimg/order-service' });
    const received = collector(1);
    await startRunner({
      brokers,
      security,
      clientId: 'test',
      groupId: uniqueName('group'),
      topics: [topic],
      handler: async (message) => {
        received.record(message);
      },
    });

    await producer.send(topic, [encodeEvent(event)]);
    await within(received.arrived, 30_000, 'message');

    const message = received.seen[0];
    expect(message.key).toBe('urn:oid:2.16.840.1.113883.19.5|MRN-001');
    expect(message.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_id: event.attributes.id,
      ce_source: 'oncoimg/order-service',
      ce_type: 'imaging.servicerequest.created',
      ce_subject: 'ServiceRequest/order-1',
      ce_time: '2025-02-01T08:00:00.000Z',
      'content-type': 'application/fhir+json',
    });
    expect(message.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    expect(JSON.parse(message.value?.toString() ?? 'null')).toEqual(order);
  });

  it('a message rejected as non-retriable lands on the dead-letter topic with its reason, and the next one is processed', async () => {
    const topic = uniqueName('poison');
    const deadLetters = `${topic}.dlq`;
    await ensureTopics({ brokers, security, topics: [topic, deadLetters], numPartitions: 1 });
    const handled = collector(1);
    await startRunner({
      brokers,
      security,
      clientId: 'test',
      groupId: uniqueName('group'),
      topics: [topic],
      handler: async (message) => {
        if (message.value?.toString() === 'poison') {
          throw new NonRetriableError('not a FHIR resource');
        }
        handled.record(message);
      },
    });
    const dlq = collector(1);
    await startRunner({
      brokers,
      security,
      clientId: 'test',
      groupId: uniqueName('dlq-reader'),
      topics: [deadLetters],
      handler: async (message) => {
        dlq.record(message);
      },
    });

    await producer.send(topic, [
      { key: 'p1', value: 'poison', headers: { ce_id: 'bad' } },
      { key: 'p1', value: 'fine', headers: { ce_id: 'good' } },
    ]);
    await within(Promise.all([handled.arrived, dlq.arrived]), 30_000, 'dead letter and next message');

    expect(handled.seen.map((m) => m.value?.toString())).toEqual(['fine']);
    const dead = dlq.seen[0];
    expect(dead.value?.toString()).toBe('poison');
    expect(dead.key).toBe('p1');
    expect(dead.headers).toMatchObject({
      ce_id: 'bad',
      dlq_reason: 'not a FHIR resource',
      dlq_error_code: 'NonRetriableError',
      dlq_original_topic: topic,
      dlq_original_partition: '0',
      dlq_original_offset: '0',
    });
  });

  it('a retriable failure is retried, then succeeds, and the message is processed once', async () => {
    const topic = uniqueName('flaky');
    await ensureTopics({ brokers, security, topics: [topic], numPartitions: 1 });
    let attempts = 0;
    const succeeded = collector(1);
    await startRunner({
      brokers,
      security,
      clientId: 'test',
      groupId: uniqueName('group'),
      topics: [topic],
      retry: { retries: 5, initialMs: 20, maxMs: 100 },
      handler: async (message) => {
        attempts += 1;
        if (attempts < 3) {
          throw new RetriableError('database unavailable');
        }
        succeeded.record(message);
      },
    });

    await producer.send(topic, [{ key: 'p1', value: 'once', headers: {} }]);
    await within(succeeded.arrived, 30_000, 'retried message');
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    expect(attempts).toBe(3);
    expect(succeeded.seen).toHaveLength(1);
  });

  it('the trace continues across the hop: the consumer span is a child of the producer span', async () => {
    const topic = uniqueName('traced');
    await ensureTopics({ brokers, security, topics: [topic], numPartitions: 1 });
    const received = collector(1);
    await startRunner({
      brokers,
      security,
      clientId: 'test',
      groupId: uniqueName('group'),
      topics: [topic],
      handler: async (message) => {
        received.record(message);
      },
    });

    await producer.send(topic, [{ key: 'p1', value: 'traced', headers: {} }]);
    await within(received.arrived, 30_000, 'traced message');
    await new Promise((resolve) => setTimeout(resolve, 200));

    const spans = exporter.getFinishedSpans();
    const send = spans.find((s) => s.name === `send ${topic}`);
    const process = spans.find((s) => s.name === `process ${topic}`);
    expect(send).toBeDefined();
    expect(process?.spanContext().traceId).toBe(send?.spanContext().traceId);
    expect(process?.parentSpanContext?.spanId).toBe(send?.spanContext().spanId);
    const attributeValues = [
      ...(send ? Object.values(send.attributes) : []),
      ...(process ? Object.values(process.attributes) : []),
    ];
    expect(attributeValues).not.toContain('p1');
  });

  it('in batch mode a poison message is isolated: the others are handled and it alone is dead-lettered', async () => {
    const topic = uniqueName('batch');
    await ensureTopics({ brokers, security, topics: [topic, `${topic}.dlq`], numPartitions: 1 });
    await producer.send(
      topic,
      ['a', 'b', 'poison', 'c'].map((value) => ({ key: 'p1', value, headers: {} })),
    );
    const handled = collector(3);
    const dlq = collector(1);
    await startRunner({
      brokers,
      security,
      clientId: 'test',
      groupId: uniqueName('group'),
      topics: [topic],
      mode: 'batch',
      handler: async (messages) => {
        if (messages.some((m) => m.value?.toString() === 'poison')) {
          throw new NonRetriableError('poison in batch');
        }
        for (const m of messages) {
          handled.record(m);
        }
      },
    });
    await startRunner({
      brokers,
      security,
      clientId: 'test',
      groupId: uniqueName('dlq-reader'),
      topics: [`${topic}.dlq`],
      handler: async (message) => {
        dlq.record(message);
      },
    });

    await within(Promise.all([handled.arrived, dlq.arrived]), 30_000, 'batch');
    expect(handled.seen.map((m) => m.value?.toString())).toEqual(['a', 'b', 'c']);
    expect(dlq.seen.map((m) => m.headers.dlq_original_offset)).toEqual(['2']);
  });
});
