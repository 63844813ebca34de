import type { Parameters } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { notificationBundle, statusBundle, type NotificationInput } from './notification-bundle.ts';

const input: NotificationInput = {
  snapshot: {
    subscriptionId: 'sub-1',
    topicUrl: 'https://oncoimg.example.org/fhir/SubscriptionTopic/imaging-report',
    status: 'active',
    eventsSinceStart: 12,
  },
  type: 'event-notification',
  events: [
    {
      eventNumber: 11,
      timestamp: '2026-12-01T10:00:00Z',
      interaction: 'create',
      resourceType: 'DiagnosticReport',
      resourceId: 'r1',
      resource: { resourceType: 'DiagnosticReport', id: 'r1', status: 'final', code: {} },
    },
    {
      eventNumber: 12,
      timestamp: '2026-12-01T10:00:01Z',
      interaction: 'delete',
      resourceType: 'DiagnosticReport',
      resourceId: 'r2',
      resource: null,
    },
  ],
  payload: 'full-resource',
  resourceBase: () => 'http://reports.example/fhir',
  serverBase: 'http://subs.example/fhir',
  bundleId: 'b1',
  statusEntryId: 's1',
  now: '2026-12-01T10:00:02Z',
};

function parameter(parameters: Parameters, name: string) {
  return parameters.parameter?.filter((p) => p.name === name) ?? [];
}

describe('notification bundles', () => {
  it('is a history Bundle whose first entry is the SubscriptionStatus, then the resources in event order', () => {
    const bundle = notificationBundle(input);
    expect(bundle.type).toBe('history');
    const [status, first, second] = bundle.entry ?? [];
    const parameters = status.resource as Parameters;
    expect(parameters.resourceType).toBe('Parameters');
    expect(parameter(parameters, 'subscription')[0]?.valueReference?.reference).toBe(
      'http://subs.example/fhir/Subscription/sub-1',
    );
    expect(parameter(parameters, 'topic')[0]?.valueCanonical).toBe(input.snapshot.topicUrl);
    expect(parameter(parameters, 'type')[0]?.valueCode).toBe('event-notification');
    expect(parameter(parameters, 'events-since-subscription-start')[0]?.valueString).toBe('12');
    const events = parameter(parameters, 'notification-event');
    expect(events.map((e) => e.part?.find((p) => p.name === 'event-number')?.valueString)).toEqual([
      '11',
      '12',
    ]);
    expect(events[0]?.part?.find((p) => p.name === 'focus')?.valueReference?.reference).toBe(
      'http://reports.example/fhir/DiagnosticReport/r1',
    );
    expect(first).toMatchObject({
      fullUrl: 'http://reports.example/fhir/DiagnosticReport/r1',
      resource: { resourceType: 'DiagnosticReport', id: 'r1' },
      request: { method: 'POST', url: 'DiagnosticReport' },
    });
    expect(second).toEqual({
      fullUrl: 'http://reports.example/fhir/DiagnosticReport/r2',
      request: { method: 'DELETE', url: 'DiagnosticReport/r2' },
      response: { status: '204' },
    });
  });

  it('id-only carries the URLs without the resources; empty carries neither', () => {
    const idOnly = notificationBundle({ ...input, payload: 'id-only' });
    expect(idOnly.entry?.[1]?.resource).toBeUndefined();
    expect(idOnly.entry?.[1]?.fullUrl).toBe('http://reports.example/fhir/DiagnosticReport/r1');
    const empty = notificationBundle({ ...input, payload: 'empty' });
    expect(empty.entry).toHaveLength(1);
    const events = parameter(empty.entry?.[0]?.resource as Parameters, 'notification-event');
    expect(events[0]?.part?.map((p) => p.name)).toEqual(['event-number', 'timestamp']);
  });

  it('a handshake carries no event and says so', () => {
    const bundle = notificationBundle({
      ...input,
      type: 'handshake',
      events: [],
      snapshot: { ...input.snapshot, status: 'requested', eventsSinceStart: 0 },
    });
    const parameters = bundle.entry?.[0]?.resource as Parameters;
    expect(bundle.entry).toHaveLength(1);
    expect(parameter(parameters, 'type')[0]?.valueCode).toBe('handshake');
    expect(parameter(parameters, 'status')[0]?.valueCode).toBe('requested');
    expect(parameter(parameters, 'notification-event')).toEqual([]);
  });

  it('$status answers a searchset with the status entry, and the error when there is one', () => {
    const bundle = statusBundle({
      ...input,
      snapshot: { ...input.snapshot, status: 'error', error: 'HTTP 500' },
    });
    expect(bundle.type).toBe('searchset');
    const parameters = bundle.entry?.[0]?.resource as Parameters;
    expect(parameter(parameters, 'status')[0]?.valueCode).toBe('error');
    expect(parameter(parameters, 'error')[0]?.valueCodeableConcept?.text).toBe('HTTP 500');
  });
});
