import { notificationBundle } from '@oncoimg/testing/personas';
import { describe, expect, it } from 'vitest';
import {
  BACKPORT_FILTER_CRITERIA_EXTENSION,
  BACKPORT_PAYLOAD_CONTENT_EXTENSION,
  buildBackportSubscription,
  formatNotification,
  NotificationError,
  readNotification,
} from './subscription-backport.ts';

const ReportNotification = notificationBundle({
  type: 'event-notification',
  eventsSinceSubscriptionStart: '3',
  events: [{ eventNumber: '3', focus: 'http://127.0.0.1:8083/fhir/DiagnosticReport/r1' }],
  resources: [{ resourceType: 'DiagnosticReport', id: 'r1', status: 'final', code: { text: 'CT Chest' } }],
});

describe('R4 Backport subscriptions', () => {
  it('builds a rest-hook Subscription with the topic, filters and payload content in the backport extensions', () => {
    const subscription = buildBackportSubscription({
      topic: 'imaging-report',
      filters: ['DiagnosticReport?patient=Patient/p1'],
      endpoint: 'http://127.0.0.1:9000/notify',
      payload: 'full-resource',
      heartbeatSeconds: 60,
    });
    expect(subscription).toMatchObject({
      resourceType: 'Subscription',
      status: 'requested',
      criteria: 'https://oncoimg.example.org/fhir/SubscriptionTopic/imaging-report',
      _criteria: {
        extension: [
          { url: BACKPORT_FILTER_CRITERIA_EXTENSION, valueString: 'DiagnosticReport?patient=Patient/p1' },
        ],
      },
      channel: {
        type: 'rest-hook',
        endpoint: 'http://127.0.0.1:9000/notify',
        payload: 'application/fhir+json',
        _payload: { extension: [{ url: BACKPORT_PAYLOAD_CONTENT_EXTENSION, valueCode: 'full-resource' }] },
      },
    });
    expect(
      buildBackportSubscription({ topic: 'https://x.example/topic', endpoint: 'http://h/' }).criteria,
    ).toBe('https://x.example/topic');
  });

  it('reads an event notification: type, counts, events and the resources carried', () => {
    expect(readNotification(ReportNotification)).toEqual({
      type: 'event-notification',
      subscription: 'http://127.0.0.1:8084/fhir/Subscription/s1',
      topic: 'https://oncoimg.example.org/fhir/SubscriptionTopic/imaging-report',
      status: 'active',
      eventsSinceSubscriptionStart: '3',
      events: [
        {
          eventNumber: '3',
          timestamp: '2024-05-02T10:00:00Z',
          focus: { reference: 'http://127.0.0.1:8083/fhir/DiagnosticReport/r1' },
        },
      ],
      resources: [ReportNotification.entry?.[1]?.resource],
    });
  });

  it('prints one line per notification, with references only', () => {
    expect(formatNotification(readNotification(ReportNotification))).toBe(
      'event-notification #3 DiagnosticReport/r1 (1 resource) Subscription/s1',
    );
    expect(formatNotification(readNotification(notificationBundle({ type: 'handshake' })))).toBe(
      'handshake Subscription/s1 status requested, 0 event(s) since start',
    );
  });

  it('refuses what is not a notification', () => {
    expect(() => readNotification({ resourceType: 'Bundle', type: 'searchset' })).toThrow(NotificationError);
    expect(() => readNotification({ resourceType: 'Bundle', type: 'history', entry: [] })).toThrow(
      NotificationError,
    );
    const unknownType = structuredClone(ReportNotification);
    const status = unknownType.entry?.[0]?.resource;
    if (status?.resourceType === 'Parameters') {
      status.parameter = status.parameter?.map((p) =>
        p.name === 'type' ? { name: 'type', valueCode: 'gossip' } : p,
      );
    }
    expect(() => readNotification(unknownType)).toThrow(/unknown notification type "gossip"/);
  });
});
