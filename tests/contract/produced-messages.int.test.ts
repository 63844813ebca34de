/**
 * The contract against the running system: the intake services and the timeline service publish
 * on fresh topics of the real broker, and every message they produce (key, headers, value) must
 * match its AsyncAPI channel; every route of openapi.yaml must answer on the timeline service
 * with a body that matches its documented response schema.
 */
import {
  deadLetterTopicFor,
  DEFAULT_TOPICS,
  type TimelineSummaryEvent,
  type TopicNames,
  type TopicRole,
} from '@oncoimg/fhir-events';
import { createEventProducer, ensureTopics, type ConsumedMessage } from '@oncoimg/kafka';
import {
  authFetch,
  readTopic,
  testKafkaBrokers,
  testKafkaSecurity,
  type TopicReader,
} from '@oncoimg/testing';
import { ResponseLiverMrOrder, ResponsePathwayResources, ResponsePatient } from '@oncoimg/testing/personas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, putResource, startSystem, type RunningSystem } from '../support/running-system.ts';
import {
  assertValid,
  messageValidators,
  openApiValidators,
  parseAsyncApi,
  readOpenApi,
  type MessageValidators,
  type OpenApiDocument,
} from './contract-documents.ts';

const brokers = testKafkaBrokers();
const security = testKafkaSecurity();
const FHIR_ROLES = ['serviceRequest', 'imagingStudy', 'diagnosticReport'] as const;
const RESOURCE_TYPE_OF = {
  serviceRequest: 'ServiceRequest',
  imagingStudy: 'ImagingStudy',
  diagnosticReport: 'DiagnosticReport',
} as const;

let system: RunningSystem;
let contract: Map<string, MessageValidators>;
const readers = new Map<string, TopicReader>();

/** The channel of the contract a run topic stands for (the run overrides the default names). */
function channelOf(role: TopicRole, deadLetter = false): MessageValidators {
  const address = deadLetter ? deadLetterTopicFor(DEFAULT_TOPICS[role]) : DEFAULT_TOPICS[role];
  const channel = contract.get(address);
  if (!channel) {
    throw new Error(`the contract has no channel ${address}`);
  }
  return channel;
}

function reader(topic: string): TopicReader {
  const found = readers.get(topic);
  if (!found) {
    throw new Error(`no reader on ${topic}`);
  }
  return found;
}

function assertMessageMatches(channel: MessageValidators, message: ConsumedMessage, value: unknown): void {
  const where = `${channel.address} offset ${message.offset}`;
  assertValid(channel.key, message.key, `key of ${where}`);
  assertValid(channel.headers, message.headers, `headers of ${where}`);
  assertValid(channel.payload, value, `value of ${where}`);
}

function jsonOf(message: ConsumedMessage): unknown {
  return JSON.parse(message.value?.toString('utf8') ?? 'null');
}

beforeAll(async () => {
  const parsed = await parseAsyncApi();
  if (!parsed.document) {
    throw new Error('the AsyncAPI document did not parse');
  }
  contract = messageValidators(parsed.document);
  system = await startSystem();
  const topics: TopicNames = system.topics;
  const deadLetters = deadLetterTopicFor(topics.serviceRequest);
  await ensureTopics({ brokers, security, topics: [deadLetters], numPartitions: 3 });
  for (const topic of [...Object.values(topics), deadLetters]) {
    readers.set(topic, await readTopic(brokers, topic));
  }
  for (const resource of ResponsePathwayResources) {
    await putResource(system, resource);
  }
  // A delete is published too (with the last body), so the contract must accept it.
  const deleted = await authFetch(`${system.orderBase}/ServiceRequest/${ResponseLiverMrOrder.id ?? ''}`, {
    method: 'DELETE',
  });
  expect(deleted.status).toBeLessThan(300);
}, 180_000);

afterAll(async () => {
  await Promise.allSettled([...readers.values()].map((r) => r.stop()));
  await system.stop();
});

describe('messages the running services publish match asyncapi.yaml', () => {
  it.each(FHIR_ROLES)('every %s event of its intake service matches its channel', async (role) => {
    const resourceType = RESOURCE_TYPE_OF[role];
    const published =
      ResponsePathwayResources.filter((r) => r.resourceType === resourceType).length +
      (role === 'serviceRequest' ? 1 : 0);
    const messages = await reader(system.topics[role]).waitFor(published);
    expect(messages).toHaveLength(published);
    for (const message of messages) {
      assertMessageMatches(channelOf(role), message, jsonOf(message));
    }
    const types = new Set(messages.map((m) => m.headers.ce_type));
    expect(types).toContain(`imaging.${resourceType.toLowerCase()}.created`);
    if (role === 'serviceRequest') {
      expect(types).toContain('imaging.servicerequest.deleted');
    }
  });

  it('every timeline summary of the timeline service matches the timeline channel, responses included', async () => {
    const timelineReader = reader(system.topics.timeline);
    // The last line of the pathway ends stable (SD); once that summary is out, the rich branches were published.
    await eventually(
      () =>
        Promise.resolve(
          timelineReader.messages.find(
            (m) => (jsonOf(m) as TimelineSummaryEvent).latestResponse?.category === 'SD',
          ),
        ),
      'a timeline summary with the second line response',
    );
    const summaries = timelineReader.messages.map((message) => {
      const summary = jsonOf(message) as TimelineSummaryEvent;
      assertMessageMatches(channelOf('timeline'), message, summary);
      expect(message.key).toBe(summary.patientKey);
      return summary;
    });
    expect(summaries.some((s) => s.latestResponse?.diseaseStatusObservation)).toBe(true);
    expect(summaries.some((s) => s.responseChanges?.some((c) => c.change === 'created'))).toBe(true);
    expect(summaries.some((s) => s.radiation !== null)).toBe(true);
    expect(summaries.some((s) => s.currentBaseline !== null)).toBe(true);
  });

  it('every AuditEvent the services publish matches the audit channel', async () => {
    // One per write of the pathway, from three services, at least.
    const messages = await reader(system.topics.audit).waitFor(ResponsePathwayResources.length);
    for (const message of messages) {
      assertMessageMatches(channelOf('audit'), message, jsonOf(message));
    }
    const sources = new Set(messages.map((m) => m.headers.ce_source));
    expect(sources).toEqual(
      new Set(['oncoimg/order-service', 'oncoimg/study-service', 'oncoimg/report-service']),
    );
  });

  it('a message the timeline service can never process reaches the dead-letter topic as documented', async () => {
    const producer = createEventProducer({ brokers, security, clientId: 'contract-test' });
    const poison = { key: ResponsePatient.key, value: 'not FHIR', headers: { 'content-type': 'text/plain' } };
    try {
      await producer.send(system.topics.serviceRequest, [poison]);
    } finally {
      await producer.disconnect();
    }
    const [deadLetter] = await reader(deadLetterTopicFor(system.topics.serviceRequest)).waitFor(1);
    assertMessageMatches(channelOf('serviceRequest', true), deadLetter, deadLetter.value?.toString('utf8'));
    expect(deadLetter.key).toBe(poison.key);
    expect(deadLetter.value?.toString('utf8')).toBe(poison.value);
    expect(deadLetter.headers).toMatchObject({
      dlq_original_topic: system.topics.serviceRequest,
      dlq_error_code: 'INVALID_HEADERS',
    });
  });
});

describe('the timeline service answers every route of openapi.yaml as documented', () => {
  let doc: OpenApiDocument;
  let compile: ReturnType<typeof openApiValidators>;
  let values: Map<string, string>;

  beforeAll(async () => {
    doc = await readOpenApi();
    compile = openApiValidators(doc);
    const timelineUrl = `${system.timelineBase}/api/patients/${encodeURIComponent(ResponsePatient.key)}/timeline`;
    const exams = await eventually(async () => {
      const res = await authFetch(timelineUrl);
      if (!res.ok) {
        return undefined;
      }
      const { exams: found } = (await res.json()) as { exams: { examId: string; studyUid: string | null }[] };
      return found.length > 0 && found.every((exam) => exam.studyUid !== null) ? found : undefined;
    }, 'the patient timeline');
    const lastStudy = exams.findLast((exam) => exam.studyUid !== null);
    const observationUrl = `${system.timelineBase}/fhir/Observation?patient=${encodeURIComponent(ResponsePatient.key)}`;
    const observationId = await eventually(async () => {
      const found = (await (await authFetch(observationUrl)).json()) as {
        entry?: { resource: { id: string } }[];
      };
      return found.entry?.[0]?.resource.id;
    }, 'a CancerDiseaseStatus Observation');
    values = new Map([
      ['patient', ResponsePatient.key],
      ['id', observationId],
      ['patientKey', ResponsePatient.key],
      ['examId', exams[0].examId],
      ['studyUid', lastStudy?.studyUid ?? ''],
      ['q', ResponsePatient.identifier.value],
    ]);
  });

  it('is OpenAPI 3.1 and documents the routes of the timeline service', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/api',
        '/api/patients',
        '/api/patients/{patientKey}/timeline',
        '/api/patients/{patientKey}/exams/{examId}',
        '/api/events',
        '/api/worklists/unreported',
        '/api/worklists/links',
        '/api/studies/{studyUid}/priors',
        '/healthz',
        '/readyz',
        '/status',
        '/outbox/dead-letters',
        '/metrics',
        '/fhir/AuditEvent',
        '/fhir/Observation',
        '/fhir/Observation/{id}',
      ].sort(),
    );
  });

  it('answers an undocumented path with 404, so the checks below can tell a route from none', async () => {
    expect((await authFetch(`${system.timelineBase}/api/not-a-route`)).status).toBe(404);
  });

  it('serves the live-update stream as text/event-stream', async () => {
    const abort = new AbortController();
    const res = await authFetch(`${system.timelineBase}/api/events`, { signal: abort.signal });
    try {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/event-stream');
      const reader = res.body?.getReader();
      const first = await reader?.read();
      expect(new TextDecoder().decode(first?.value as Uint8Array | undefined)).toContain('retry: 2000');
    } finally {
      abort.abort();
    }
  });

  it('answers every other documented GET with a documented status and a body matching its schema', async () => {
    const checked: string[] = [];
    for (const [path, operations] of Object.entries(doc.paths)) {
      const operation = operations.get;
      if (!operation || path === '/api/events') {
        continue;
      }
      const url = new URL(
        path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(values.get(name) ?? '')),
        system.timelineBase,
      );
      for (const parameter of operation.parameters ?? []) {
        if ('name' in parameter && parameter.in === 'query' && parameter.required) {
          url.searchParams.set(parameter.name, values.get(parameter.name) ?? '');
        }
      }
      const res = await authFetch(url);
      expect(res.status, path).not.toBe(404);
      const documented = resolveResponse(doc, operation.responses[String(res.status)]);
      expect(documented, `${path} answered an undocumented ${String(res.status)}`).toBeDefined();
      const [mediaType, media] = Object.entries(documented?.content ?? {}).at(0) ?? [];
      expect(res.headers.get('content-type') ?? '', path).toContain(mediaType ?? 'none');
      const body: unknown = mediaType?.endsWith('json') ? await res.json() : await res.text();
      assertValid(compile(media?.schema ?? {}), body, `${path} (${String(res.status)})`);
      checked.push(path);
    }
    expect(checked).toHaveLength(Object.keys(doc.paths).length - 1);
  });

  it('answers an unknown patient with the documented OperationOutcome', async () => {
    const res = await authFetch(
      `${system.timelineBase}/api/patients/${encodeURIComponent('Patient/none')}/timeline`,
    );
    expect(res.status).toBe(404);
    const notFound = resolveResponse(
      doc,
      doc.paths['/api/patients/{patientKey}/timeline'].get?.responses['404'],
    );
    assertValid(
      compile(notFound?.content?.['application/fhir+json']?.schema ?? {}),
      await res.json(),
      'the 404 of an unknown patient',
    );
  });
});

type ResponseObject = { content?: Record<string, { schema?: unknown }> };

function resolveResponse(
  doc: OpenApiDocument,
  response: ResponseObject | { $ref: string } | undefined,
): ResponseObject | undefined {
  if (!response || !('$ref' in response)) {
    return response;
  }
  const name = response.$ref.replace('#/components/responses/', '');
  return doc.components.responses?.[name];
}
