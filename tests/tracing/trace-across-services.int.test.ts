/**
 * One exam, one trace: an order posted to the order service is followed through the outbox, Kafka,
 * the timeline consumer and the timeline event it publishes, all under the trace id of the
 * request. Tracing runs in this process with an in-memory exporter, as `startTelemetry()` would
 * run it in a service (W3C propagation, AsyncLocalStorage context, HTTP server spans).
 */
import { randomBytes } from 'node:crypto';
import type { ServiceRequest } from '@medplum/fhirtypes';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import type { TopicNames } from '@oncoimg/fhir-events';
import { createIntakeService, type IntakeService } from '@oncoimg/intake';
import { createEventProducer, ensureTopics } from '@oncoimg/kafka';
import { openDatabase, type Database } from '@oncoimg/store';
import { enableInProcessMetrics, instrumentHttpServers, PROMETHEUS_NAMES } from '@oncoimg/telemetry';
import {
  authFetch,
  DiagnosticChestCtOrder,
  openTestDatabase,
  personaPatient,
  readTopic,
  testAuth,
  testKafkaBrokers,
  testKafkaSecurity,
  type TopicReader,
  uniqueName,
} from '@oncoimg/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTimelineService,
  type TimelineService,
} from '../../services/timeline-service/src/timeline-service.ts';
import { eventually } from '../support/running-system.ts';

const brokers = testKafkaBrokers();
const security = testKafkaSecurity();
/** A patient no other test uses: whatever of it shows up in a span or a metric is a leak. */
const patient = personaPatient(`TRACE-${randomBytes(4).toString('hex').toUpperCase()}`);
const order: ServiceRequest = {
  ...DiagnosticChestCtOrder,
  id: undefined,
  meta: undefined,
  subject: { type: 'Patient', identifier: { ...patient.identifier } },
};

const exporter = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
let http: ReturnType<typeof instrumentHttpServers> | undefined;

describe('tracing and metrics across the order and timeline services', () => {
  const topics: TopicNames = {
    serviceRequest: `${uniqueName('trace')}.servicerequest`,
    imagingStudy: `${uniqueName('trace')}.imagingstudy`,
    diagnosticReport: `${uniqueName('trace')}.diagnosticreport`,
    timeline: `${uniqueName('trace')}.timeline`,
    audit: `${uniqueName('trace')}.audit`,
  };
  const groupId = uniqueName('trace-timeline');
  let orderDb: Database;
  let timelineDb: Database;
  let orders: IntakeService;
  let timeline: TimelineService;
  let orderBase: string;
  let timelineBase: string;
  let timelineEvents: TopicReader;

  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(tracerProvider);
    http = instrumentHttpServers();
    enableInProcessMetrics('trace-test');

    await ensureTopics({ brokers, security, topics: Object.values(topics), numPartitions: 3 });
    orderDb = await openTestDatabase({ name: 'pglite' });
    // The timeline service has its own database, as deployed (both have an outbox table).
    timelineDb = await openDatabase({ schema: 'timeline_service' });
    orders = createIntakeService({
      access: (await testAuth()).access,
      name: 'order-service',
      resourceType: 'ServiceRequest',
      db: orderDb,
      brokers,
      kafkaSecurity: security,
      port: 0,
      topics,
    });
    timeline = createTimelineService({
      access: (await testAuth()).access,
      db: timelineDb,
      brokers,
      kafkaSecurity: security,
      port: 0,
      topics,
      groupId,
    });
    const [{ port: orderPort }, { port: timelinePort }] = await Promise.all([
      orders.start(),
      timeline.start(),
    ]);
    orderBase = `http://127.0.0.1:${String(orderPort)}`;
    timelineBase = `http://127.0.0.1:${String(timelinePort)}`;
    timelineEvents = await readTopic(brokers, topics.timeline);
  });

  afterAll(async () => {
    await timelineEvents.stop();
    await Promise.allSettled([orders.stop(), timeline.stop()]);
    await Promise.allSettled([orderDb.close(), timelineDb.close()]);
    http?.disable();
    await tracerProvider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  it('the request, the outbox publish, the timeline consumer and the timeline event share one trace', async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const posted = await authFetch(`${orderBase}/fhir/ServiceRequest`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', traceparent: `00-${traceId}-${callerSpanId}-01` },
      body: JSON.stringify(order),
    });
    expect(posted.status).toBe(201);

    const timelineUrl = `${timelineBase}/api/patients/${encodeURIComponent(patient.key)}/timeline`;
    await eventually(async () => ((await authFetch(timelineUrl)).ok ? true : undefined), 'the timeline');
    await timelineEvents.waitFor(1);
    const spans = await eventually(async () => {
      const finished = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
      return finished.some((s) => s.name === `send ${topics.timeline}`) ? finished : undefined;
    }, 'the span of the timeline event publish');

    const one = (what: string, match: (s: ReadableSpan) => boolean): ReadableSpan => {
      const found = spans.filter(match);
      expect(found, what).toHaveLength(1);
      return found[0];
    };
    const server = one('HTTP server span', (s) => s.kind === SpanKind.SERVER);
    const outboxSend = one(
      'outbox publish span',
      (s) => s.kind === SpanKind.PRODUCER && s.name === `send ${topics.serviceRequest}`,
    );
    const consume = one(
      'timeline consumer span',
      (s) =>
        s.kind === SpanKind.CONSUMER &&
        s.name === `process ${topics.serviceRequest}` &&
        s.attributes['messaging.consumer.group.name'] === groupId,
    );
    const timelineSend = one(
      'timeline event publish span',
      (s) => s.kind === SpanKind.PRODUCER && s.name === `send ${topics.timeline}`,
    );

    // One chain: caller → HTTP → outbox publish (trace context stored in the outbox row) →
    // timeline consumer → timeline event publish (trace context stored in the timeline's outbox row).
    expect(server.parentSpanContext?.spanId).toBe(callerSpanId);
    expect(server.name).toBe('POST /fhir/:type');
    expect(server.attributes['http.route']).toBe('/fhir/:type');
    expect(outboxSend.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(consume.parentSpanContext?.spanId).toBe(outboxSend.spanContext().spanId);
    expect(timelineSend.parentSpanContext?.spanId).toBe(consume.spanContext().spanId);

    for (const [send, topic] of [
      [outboxSend, topics.serviceRequest],
      [timelineSend, topics.timeline],
    ] as const) {
      expect(send.attributes).toMatchObject({
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.destination.name': topic,
      });
      expect(send.attributes['messaging.destination.partition.id']).toMatch(/^[0-2]$/);
    }
    expect(consume.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.destination.name': topics.serviceRequest,
      'messaging.destination.partition.id': outboxSend.attributes['messaging.destination.partition.id'],
      'messaging.consumer.group.name': groupId,
    });
    expect(typeof consume.attributes['kafka.offset']).toBe('number');
  });

  it('no span and no metric carries the patient key or identifier', async () => {
    // The timeline of the patient is read once more: its URL holds the patient key.
    await authFetch(`${timelineBase}/api/patients/${encodeURIComponent(patient.key)}/timeline`);
    const metricsText = await (await authFetch(`${orderBase}/metrics`)).text();
    const everything = JSON.stringify(
      exporter.getFinishedSpans().map((s) => ({
        name: s.name,
        attributes: s.attributes,
        events: s.events,
        links: s.links,
        status: s.status,
      })),
    );
    for (const leak of [patient.identifier.value, patient.key, encodeURIComponent(patient.key)]) {
      expect(everything).not.toContain(leak);
      expect(metricsText).not.toContain(leak);
    }
    const keyAttributes = exporter
      .getFinishedSpans()
      .flatMap((s) => Object.keys(s.attributes))
      .filter((name) => name.endsWith('message.key'));
    expect(keyAttributes).toEqual([]);
    expect(everything).toContain('/api/patients/:patientKey/timeline');
  });

  it('both services serve /metrics in the Prometheus text format with the service metrics', async () => {
    // A poison event: the timeline consumer dead-letters it, which the metric counts.
    const producer = createEventProducer({ brokers, security, clientId: 'trace-test' });
    await producer.send(topics.serviceRequest, [{ key: 'poison', value: '{"resourceType":', headers: {} }]);
    await producer.disconnect();

    const scrape = async (base: string) => {
      const res = await authFetch(`${base}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      return res.text();
    };
    const timelineText = await eventually(async () => {
      const text = await scrape(timelineBase);
      return text.includes(`${PROMETHEUS_NAMES.deadLetters}{topic="${topics.serviceRequest}"`)
        ? text
        : undefined;
    }, 'the dead letter in /metrics');
    // The audit records of the test's last requests reach the outbox just after their answers.
    const drained = new RegExp(`${PROMETHEUS_NAMES.outboxBacklog}\\{service="order-service"[^}]*\\} 0`);
    const orderText = await eventually(async () => {
      const text = await scrape(orderBase);
      return drained.test(text) ? text : undefined;
    }, 'the order service outbox drained');

    expect(orderText).toMatch(
      new RegExp(
        `${PROMETHEUS_NAMES.httpRequests}\\{method="POST",route="/fhir/:type",status_class="2xx"[^}]*\\} 1`,
      ),
    );
    expect(orderText).toContain(
      `${PROMETHEUS_NAMES.eventsPublished}{topic="${topics.serviceRequest}",type="imaging.servicerequest.created"`,
    );
    expect(orderText).toMatch(
      new RegExp(`${PROMETHEUS_NAMES.outboxBacklog}\\{service="order-service"[^}]*\\} 0`),
    );
    expect(timelineText).toContain(`${PROMETHEUS_NAMES.eventsPublished}{topic="${topics.timeline}"`);
    expect(timelineText).toContain(`${PROMETHEUS_NAMES.outboxBacklog}{service="timeline-service"`);
    expect(timelineText).toMatch(
      new RegExp(
        `${PROMETHEUS_NAMES.consumerLag}\\{group="${groupId}",topic="${topics.serviceRequest}",partition="\\d"`,
      ),
    );
    expect(timelineText).toMatch(
      new RegExp(`${PROMETHEUS_NAMES.deadLetters}\\{topic="${topics.serviceRequest}",reason="[A-Z_]+"`),
    );
    expect(timelineText).toMatch(
      new RegExp(
        `${PROMETHEUS_NAMES.httpRequests}\\{method="GET",route="/api/patients/:patientKey/timeline"`,
      ),
    );
  });
});
