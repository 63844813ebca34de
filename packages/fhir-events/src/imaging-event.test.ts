import type { ServiceRequest } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { CE_HEADERS } from './cloudevents.ts';
import { FhirEventsError } from './errors.ts';
import {
  buildImagingEvent,
  decodeImagingEvent,
  encodeEvent,
  eventTypeFor,
  parseEventType,
} from './imaging-event.ts';

const order: ServiceRequest = {
  resourceType: 'ServiceRequest',
  id: 'sr-1',
  meta: { versionId: '2', lastUpdated: '2025-03-01T10:00:00.000Z' },
  status: 'active',
  intent: 'order',
  subject: { identifier: { system: 'urn:oid:1.2.3', value: 'MRN-7' } },
};

describe('imaging events', () => {
  it('keys an event by the patient and names the resource in the CloudEvents attributes', () => {
    const event = buildImagingEvent({
      resource: order,
      action: 'updated',
      source: 'oncoimg/order-service',
      id: 'e1',
    });
    expect(event.key).toBe('urn:oid:1.2.3|MRN-7');
    expect(event.action).toBe('updated');
    expect(event.attributes).toEqual({
      specversion: '1.0',
      id: 'e1',
      source: 'oncoimg/order-service',
      type: 'imaging.servicerequest.updated',
      subject: 'ServiceRequest/sr-1',
      time: '2025-03-01T10:00:00.000Z',
      datacontenttype: 'application/fhir+json',
    });
  });

  it('round-trips through Kafka encoding: the value is the resource exactly, every header is set', () => {
    const event = {
      ...buildImagingEvent({ resource: order, action: 'created', source: 's' }),
      traceparent: '00-aa-bb-01',
    };
    const encoded = encodeEvent(event);
    expect(JSON.parse(encoded.value)).toEqual(order);
    expect(Object.keys(encoded.headers).sort()).toEqual(
      [
        'ce_id',
        'ce_source',
        'ce_specversion',
        'ce_subject',
        'ce_time',
        'ce_type',
        'content-type',
        'traceparent',
      ].sort(),
    );
    expect(decodeImagingEvent({ ...encoded, value: Buffer.from(encoded.value) })).toEqual(event);
  });

  it('refuses a resource without a patient subject', () => {
    const { subject: _subject, ...orphan } = order;
    expect(() =>
      buildImagingEvent({ resource: orphan as ServiceRequest, action: 'created', source: 's' }),
    ).toThrow(expect.objectContaining({ code: 'NO_PATIENT_KEY' }));
  });

  it.each([
    [
      'a missing header',
      (h: Record<string, string>) => ({ ...h, [CE_HEADERS.id]: '' }),
      '{}',
      'INVALID_HEADERS',
    ],
    ['a value that is not JSON', (h: Record<string, string>) => h, '{oops', 'INVALID_PAYLOAD'],
    ['a JSON array', (h: Record<string, string>) => h, '[]', 'INVALID_PAYLOAD'],
    [
      'a study under an order event type',
      (h: Record<string, string>) => h,
      '{"resourceType":"ImagingStudy"}',
      'TYPE_MISMATCH',
    ],
    [
      'an unknown action',
      (h: Record<string, string>) => ({ ...h, ce_type: 'imaging.servicerequest.merged' }),
      '{}',
      'UNKNOWN_EVENT_TYPE',
    ],
    [
      'an order under an event type naming another resource type',
      (h: Record<string, string>) => ({ ...h, ce_type: 'imaging.imagingstudy.created' }),
      JSON.stringify(order),
      'TYPE_MISMATCH',
    ],
    [
      'an unknown event type',
      (h: Record<string, string>) => ({ ...h, ce_type: 'imaging.patient.created' }),
      '{}',
      'UNKNOWN_EVENT_TYPE',
    ],
  ])('decoding %s fails permanently', (_name, editHeaders, value, code) => {
    const encoded = encodeEvent(buildImagingEvent({ resource: order, action: 'created', source: 's' }));
    let caught: unknown;
    try {
      decodeImagingEvent({ key: encoded.key, value, headers: editHeaders(encoded.headers) });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FhirEventsError);
    expect(caught).toMatchObject({ code, retriable: false });
  });

  it('event types name resource and action', () => {
    expect(eventTypeFor('DiagnosticReport', 'deleted')).toBe('imaging.diagnosticreport.deleted');
    expect(parseEventType('imaging.imagingstudy.created')).toEqual({
      resourceType: 'ImagingStudy',
      action: 'created',
    });
  });
});
