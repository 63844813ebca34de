import { DiagnosticSeverity, type AsyncAPIDocumentInterface } from '@asyncapi/parser';
import {
  allTopics,
  auditMessageOf,
  buildAuditEvent,
  buildImagingEvent,
  deadLetterTopicFor,
  DEFAULT_TOPICS,
  encodeEvent,
  EVENT_ACTIONS,
  patientKeyOf,
  TIMELINE_EVENT_CONTENT_TYPE,
  TIMELINE_EVENT_SCHEMA_VERSION,
  TIMELINE_EVENT_TYPE,
  type ImagingResource,
  type TimelineSummaryEvent,
} from '@oncoimg/fhir-events';
import { ResponseFirstFollowUpCt } from '@oncoimg/testing/personas';
import { beforeAll, describe, expect, it } from 'vitest';
import { cancerDiseaseStatus } from '../../services/timeline-service/src/domain/index.ts';
import { DEFAULT_TIMELINE_GROUP_ID } from '../../services/timeline-service/src/timeline-service.ts';
import { messageValidators, parseAsyncApi, type MessageValidators } from './contract-documents.ts';

/** The CancerDiseaseStatus of a RECIST PR, as the timeline serves it. */
const PartialResponseObservation = {
  ...cancerDiseaseStatus({
    patientKey: 'https://hospital.example.org/mrn|RP-0001',
    examId: 'ServiceRequest/f1',
    status: 'improved',
    method: 'recist-1.1',
    category: 'PR',
    text: 'RECIST 1.1 PR (partial response)',
    reason: 'PR: sum of diameters 52 mm, 35 % below the baseline 80 mm.',
    subject: {
      type: 'Patient',
      identifier: { system: 'https://hospital.example.org/mrn', value: 'RP-0001' },
    },
    episodeId: 'Condition/c1',
    effective: '2024-05-02T10:00:00+02:00',
    report: 'DiagnosticReport/f1',
    study: 'ImagingStudy/f1',
    measurements: [
      { source: 'DiagnosticReport/b1#m1', label: 'Target lesion 1, baseline', mm: 80, date: '2024-03-04' },
      { source: 'DiagnosticReport/f1#m1', label: 'Target lesion 1, follow-up', mm: 52, date: '2024-05-02' },
    ],
  }),
};
PartialResponseObservation.meta = {
  ...PartialResponseObservation.meta,
  versionId: '2',
  lastUpdated: '2024-05-02T10:00:00.000Z',
};

/** A summary with every optional branch filled: what a follow-up with a RECIST response publishes. */
const FullSummary: TimelineSummaryEvent = {
  schemaVersion: TIMELINE_EVENT_SCHEMA_VERSION,
  patientKey: 'https://hospital.example.org/mrn|RP-0001',
  timelineVersion: 4,
  updatedAt: '2024-05-02T10:00:00.000Z',
  examCount: 2,
  currentBaseline: {
    examId: 'ServiceRequest/b1',
    date: '2024-03-04T10:00:00+01:00',
    episodeId: 'e1',
    line: 1,
  },
  latestResponse: {
    method: 'recist-1.1',
    label: 'derived',
    category: 'PR',
    words: 'shrunk',
    diseaseStatus: 'improved',
    sumOfDiametersMm: 52,
    baselineSumMm: 80,
    nadirSumMm: 80,
    percentFromBaseline: -35,
    percentFromNadir: -35,
    changeFromBaselineMm: -28,
    changeFromNadirMm: -28,
    diseaseStatusObservation: PartialResponseObservation,
    examId: 'ServiceRequest/f1',
    date: '2024-05-02T10:00:00+02:00',
  },
  bestOverallResponse: {
    baselineExamId: 'ServiceRequest/b1',
    line: 1,
    category: 'PR',
    confirmed: true,
    examId: 'ServiceRequest/f1',
    confirmedBy: 'ServiceRequest/f2',
    confirmationDays: 28,
    reason: 'PR at ServiceRequest/f1, confirmed by ServiceRequest/f2 at least 28 days later.',
  },
  warnings: [
    {
      examId: 'ServiceRequest/b1',
      code: 'baseline-older-than-window',
      message: 'This baseline is 40 days before treatment start, more than the 28-day window.',
    },
  ],
  pending: { ordered: 0, unreported: 1 },
  problems: { unmatched: 0, ambiguous: 0 },
  radiation: { ionizingExamCount: 2, totalDlpMgyCm: 1210.5, totalEffectiveDoseMsv: null },
  exams: [
    {
      examId: 'ServiceRequest/b1',
      date: '2024-03-04T10:00:00+01:00',
      status: 'final',
      purpose: 'baseline',
      modality: 'CT',
      planning: false,
      isBaseline: true,
      daysSinceBaseline: 0,
      orderId: 'ServiceRequest/b1',
      studyUid: '2.25.100',
      reportIds: ['DiagnosticReport/b1'],
      response: null,
    },
  ],
  responseChanges: [
    {
      change: 'updated',
      observationId: PartialResponseObservation.id ?? '',
      examId: 'ServiceRequest/f1',
      observation: PartialResponseObservation,
    },
    {
      change: 'deleted',
      observationId: 'cds-0123456789abcdef0123456789abcdef',
      examId: 'ServiceRequest/x1',
      observation: null,
    },
  ],
};

/** A summary of a timeline with one order and nothing else: every nullable field null. */
const SparseSummary: TimelineSummaryEvent = {
  schemaVersion: TIMELINE_EVENT_SCHEMA_VERSION,
  patientKey: 'Patient/123',
  timelineVersion: 1,
  updatedAt: '2024-05-02T10:00:00.000Z',
  examCount: 1,
  currentBaseline: null,
  latestResponse: null,
  bestOverallResponse: null,
  warnings: [],
  pending: { ordered: 1, unreported: 0 },
  problems: { unmatched: 0, ambiguous: 0 },
  radiation: null,
  exams: [
    {
      examId: 'ServiceRequest/o1',
      date: null,
      status: 'ordered',
      purpose: 'diagnosis',
      modality: null,
      planning: false,
      isBaseline: false,
      daysSinceBaseline: null,
      orderId: 'ServiceRequest/o1',
      studyUid: null,
      reportIds: [],
      response: null,
    },
  ],
};

const DEAD_LETTER_HEADERS = {
  ce_specversion: '1.0',
  dlq_reason: 'CloudEvents header ce_id is missing',
  dlq_error_code: 'INVALID_HEADERS',
  dlq_original_topic: DEFAULT_TOPICS.serviceRequest,
  dlq_original_partition: '2',
  dlq_original_offset: '41',
  dlq_failed_at: '2024-05-02T10:00:00.000Z',
};

/** A stored version of a persona resource: the intake services always set id and meta. */
function stored<R extends ImagingResource>(resource: R): R {
  return { ...resource, meta: { versionId: '1', lastUpdated: '2024-05-02T10:00:00.000Z' } };
}

const FHIR_CHANNELS = [
  { topic: DEFAULT_TOPICS.serviceRequest, resource: stored(ResponseFirstFollowUpCt.order) },
  { topic: DEFAULT_TOPICS.imagingStudy, resource: stored(ResponseFirstFollowUpCt.study) },
  { topic: DEFAULT_TOPICS.diagnosticReport, resource: stored(ResponseFirstFollowUpCt.report) },
] as const;

// The parser's diagnostics and its exported enum come from two copies of @stoplight/types.
const ERROR_SEVERITY: number = DiagnosticSeverity.Error;
const severityOf = ({ severity }: { severity: number }): number => severity;

describe('the AsyncAPI contract (infra/asyncapi/asyncapi.yaml)', () => {
  let document: AsyncAPIDocumentInterface;
  let validators: Map<string, MessageValidators>;

  function channel(address: string): MessageValidators {
    const found = validators.get(address);
    if (!found) {
      throw new Error(`no channel for ${address}`);
    }
    return found;
  }

  beforeAll(async () => {
    const parsed = await parseAsyncApi();
    const errors = parsed.diagnostics.filter((d) => severityOf(d) === ERROR_SEVERITY);
    expect(errors.map((d) => `${d.path.join('.')}: ${d.message}`)).toEqual([]);
    if (!parsed.document) {
      throw new Error('the AsyncAPI document did not parse');
    }
    document = parsed.document;
    validators = messageValidators(document);
  });

  it('is AsyncAPI 3.0.0 with the Kafka server on 127.0.0.1:9092', () => {
    expect(document.version()).toBe('3.0.0');
    const servers = document.servers().all();
    expect(servers.map((server) => [server.host(), server.protocol()])).toEqual([
      ['127.0.0.1:9092', 'kafka'],
    ]);
  });

  it('documents exactly the topics of the registry, dead-letter topics included', () => {
    const addresses = document
      .channels()
      .all()
      .map((c) => c.address());
    expect(addresses).toHaveLength(allTopics().length);
    expect(new Set(addresses)).toEqual(new Set(allTopics()));
    for (const topic of Object.values(DEFAULT_TOPICS)) {
      expect(addresses).toContain(deadLetterTopicFor(topic));
    }
  });

  it('keys every message of the event topics by the patient key the producers compute', () => {
    for (const { topic, resource } of FHIR_CHANNELS) {
      const key = patientKeyOf(resource);
      expect(channel(topic).key(key), topic).toBe(true);
      expect(channel(topic).key(''), topic).toBe(false);
    }
    expect(channel(DEFAULT_TOPICS.timeline).key('Patient/123')).toBe(true);
  });

  it.each(FHIR_CHANNELS)(
    'accepts every event the intake services encode on $topic, and no other resource type',
    ({ topic, resource }) => {
      const validators = channel(topic);
      for (const action of EVENT_ACTIONS) {
        const message = encodeEvent(buildImagingEvent({ resource, action, source: 'oncoimg/order-service' }));
        expect(
          validators.headers(message.headers),
          `${action}: ${JSON.stringify(validators.headers.errors)}`,
        ).toBe(true);
        expect(validators.key(message.key)).toBe(true);
        expect(validators.payload(JSON.parse(message.value)), JSON.stringify(validators.payload.errors)).toBe(
          true,
        );
      }
      for (const other of FHIR_CHANNELS.filter((c) => c.topic !== topic)) {
        const foreign = encodeEvent(
          buildImagingEvent({ resource: other.resource, action: 'created', source: 'oncoimg/x' }),
        );
        expect(validators.headers(foreign.headers)).toBe(false);
        expect(validators.payload(JSON.parse(foreign.value))).toBe(false);
      }
    },
  );

  it('refuses FHIR events without the CloudEvents headers or with an unstored resource', () => {
    const { topic, resource } = FHIR_CHANNELS[0];
    const { headers } = encodeEvent(buildImagingEvent({ resource, action: 'created', source: 'oncoimg/a' }));
    const { ce_id: _id, ...withoutId } = headers;
    expect(channel(topic).headers(withoutId)).toBe(false);
    expect(channel(topic).headers({ ...headers, ce_specversion: '0.3' })).toBe(false);
    const { meta: _meta, ...unstored } = resource;
    expect(channel(topic).payload(unstored)).toBe(false);
  });

  it('describes the timeline topic as TimelineSummaryEvent, field for field', () => {
    const timeline = channel(DEFAULT_TOPICS.timeline);
    expect(timeline.payload(FullSummary), JSON.stringify(timeline.payload.errors)).toBe(true);
    expect(timeline.payload(SparseSummary), JSON.stringify(timeline.payload.errors)).toBe(true);
    const required = (timeline.schemas.payload as { required: string[] }).required;
    // responseChanges is the one optional field: events written before it existed lack it.
    expect(new Set(required)).toEqual(
      new Set(Object.keys(FullSummary).filter((k) => k !== 'responseChanges')),
    );
    const { responseChanges: changes = [], ...older } = FullSummary;
    expect(timeline.payload(older)).toBe(true);
    expect(
      timeline.payload({ ...FullSummary, responseChanges: [{ ...changes[0], change: 'replaced' }] }),
    ).toBe(false);
    const otherCode = {
      ...PartialResponseObservation,
      code: { coding: [{ system: 'http://loinc.org', code: '21889-1' }] },
    };
    expect(
      timeline.payload({ ...FullSummary, responseChanges: [{ ...changes[0], observation: otherCode }] }),
    ).toBe(false);
    for (const field of required) {
      const { [field]: _dropped, ...missing } = FullSummary as unknown as Record<string, unknown>;
      expect(timeline.payload(missing), `without ${field}`).toBe(false);
    }
    expect(timeline.payload({ ...FullSummary, patientName: 'x' })).toBe(false);
    expect(timeline.payload({ ...FullSummary, schemaVersion: TIMELINE_EVENT_SCHEMA_VERSION + 1 })).toBe(
      false,
    );
    const exam = FullSummary.exams[0];
    expect(new Set(Object.keys(exam))).toEqual(
      new Set(document.components().schemas().get('TimelineSummaryExam')?.required() ?? []),
    );
  });

  it('expects the headers the timeline service writes on the timeline topic', () => {
    const headers = {
      ce_specversion: '1.0',
      ce_id: '7f9c0c1e-8a51-4d59-9a43-1f3f2a1d2b11',
      ce_source: 'oncoimg/timeline-service',
      ce_type: TIMELINE_EVENT_TYPE,
      ce_subject: FullSummary.patientKey,
      ce_time: FullSummary.updatedAt,
      'content-type': TIMELINE_EVENT_CONTENT_TYPE,
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    };
    const timeline = channel(DEFAULT_TOPICS.timeline);
    expect(timeline.headers(headers), JSON.stringify(timeline.headers.errors)).toBe(true);
    expect(timeline.headers({ ...headers, 'content-type': 'application/fhir+json' })).toBe(false);
    expect(timeline.headers({ ...headers, traceparent: 'not-a-trace' })).toBe(false);
  });

  it('gives every dead-letter topic the dlq_* headers and keeps the original value as it was', () => {
    for (const topic of Object.values(DEFAULT_TOPICS)) {
      const deadLetters = channel(deadLetterTopicFor(topic));
      expect(deadLetters.headers(DEAD_LETTER_HEADERS), JSON.stringify(deadLetters.headers.errors)).toBe(true);
      const { dlq_original_offset: _offset, ...incomplete } = DEAD_LETTER_HEADERS;
      expect(deadLetters.headers(incomplete)).toBe(false);
      expect(deadLetters.payload('not even JSON')).toBe(true);
      expect(deadLetters.key(null)).toBe(true);
    }
  });

  it('accepts the AuditEvents every service publishes on the audit topic, keyed by patient or by nothing', () => {
    const audit = channel(DEFAULT_TOPICS.audit);
    const event = buildAuditEvent({
      id: '5b1a7d0e-0c7b-4f43-a2a4-0d2f5b0c9e11',
      recorded: new Date('2024-05-02T10:00:00Z'),
      interaction: 'create',
      status: 403,
      outcomeDesc: '403 Forbidden: missing scope system/ServiceRequest.c',
      caller: { subject: 'clinician', clientId: 'timeline-web', fhirUser: 'Practitioner/dev-clinician' },
      address: '127.0.0.1',
      observer: 'oncoimg/order-service',
      patient: FullSummary.patientKey,
      query: 'POST /fhir/ServiceRequest',
    });
    const message = auditMessageOf(event, 'oncoimg/order-service');
    expect(audit.headers(message.headers), JSON.stringify(audit.headers.errors)).toBe(true);
    expect(audit.key(message.key)).toBe(true);
    expect(audit.key('')).toBe(true);
    expect(audit.payload(JSON.parse(message.value)), JSON.stringify(audit.payload.errors)).toBe(true);
    expect(audit.payload({ ...event, outcome: '3' })).toBe(false);
    expect(audit.payload(stored(ResponseFirstFollowUpCt.order))).toBe(false);
    expect(audit.headers({ ...message.headers, ce_type: TIMELINE_EVENT_TYPE })).toBe(false);
  });

  it('names the timeline service consumer group of the service configuration', () => {
    const operation = document.operations().get('timelineReceivesServiceRequests');
    const binding = operation?.bindings().get('kafka')?.value<{ groupId: { default: string } }>();
    expect(binding?.groupId.default).toBe(DEFAULT_TIMELINE_GROUP_ID);
  });
});
