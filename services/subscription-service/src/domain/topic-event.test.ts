import type { Observation } from '@medplum/fhirtypes';
import { buildImagingEvent } from '@oncoimg/fhir-events';
import { describe, expect, it } from 'vitest';
import { readTimelineEvent, topicEventsOfImagingEvent, topicEventsOfTimelineEvent } from './topic-event.ts';

const observation: Observation = {
  resourceType: 'Observation',
  id: 'resp-1',
  status: 'preliminary',
  code: { coding: [{ system: 'http://loinc.org', code: '97509-4' }] },
};

describe('topic events', () => {
  it('a new report is a create on the imaging-report topic; its deletion is on no topic', () => {
    const report = {
      resourceType: 'DiagnosticReport' as const,
      id: 'r1',
      status: 'final' as const,
      code: {},
      subject: { reference: 'Patient/7' },
    };
    const created = buildImagingEvent({ resource: report, action: 'created', source: 's', id: 'ce-1' });
    expect(topicEventsOfImagingEvent(created, 1_000, '00-a-b-01')).toEqual([
      expect.objectContaining({
        topicUrl: 'https://oncoimg.example.org/fhir/SubscriptionTopic/imaging-report',
        eventId: 'ce-1',
        interaction: 'create',
        patientKey: 'Patient/7',
        resource: report,
        publishedAt: 1_000,
        traceparent: '00-a-b-01',
      }),
    ]);
    expect(
      topicEventsOfImagingEvent(
        buildImagingEvent({ resource: report, action: 'deleted', source: 's' }),
        1_000,
      ),
    ).toEqual([]);
  });

  it('each response change of a timeline event is an event of the imaging-response topic', () => {
    const view = readTimelineEvent({
      patientKey: 'Patient/7',
      updatedAt: '2026-12-01T10:00:00Z',
      responseChanges: [
        { change: 'created', observationId: 'resp-1', examId: 'e1', observation },
        { change: 'deleted', observationId: 'resp-0', examId: 'e0', observation: null },
      ],
    });
    const events = topicEventsOfTimelineEvent(view, { eventId: 'ce-9', publishedAt: 1_000 });
    expect(
      events.map((e) => [e.interaction, e.resourceType, e.resourceId, e.eventId, e.resource?.id]),
    ).toEqual([
      ['create', 'Observation', 'resp-1', 'ce-9/resp-1', 'resp-1'],
      ['delete', 'Observation', 'resp-0', 'ce-9/resp-0', undefined],
    ]);
  });

  it('a timeline event without responseChanges (older publishers) changes no response', () => {
    expect(
      readTimelineEvent({ patientKey: 'Patient/7', updatedAt: '2026-12-01T10:00:00Z' }).responseChanges,
    ).toEqual([]);
  });

  it('a malformed timeline event is refused', () => {
    expect(() => readTimelineEvent({ updatedAt: 'x' })).toThrow(/patientKey/);
    expect(() =>
      readTimelineEvent({
        patientKey: 'Patient/7',
        updatedAt: 'x',
        responseChanges: [
          { change: 'created', observationId: 'o', observation: { resourceType: 'Patient' } },
        ],
      }),
    ).toThrow(/malformed response change/);
  });
});
