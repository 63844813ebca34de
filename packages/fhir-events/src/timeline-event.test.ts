import { describe, expect, it } from 'vitest';
import { parseCloudEventHeaders } from './cloudevents.ts';
import {
  buildTimelineEventHeaders,
  TIMELINE_EVENT_CONTENT_TYPE,
  TIMELINE_EVENT_TYPE,
} from './timeline-event.ts';

describe('timeline event headers', () => {
  it('are binary-mode CloudEvents naming the patient as subject and JSON as content type', () => {
    const headers = buildTimelineEventHeaders({
      patientKey: 'urn:mrn|7',
      source: 'oncoimg/timeline-service',
      time: '2025-03-01T10:00:00.000Z',
      id: 't1',
    });
    expect(parseCloudEventHeaders(headers)).toEqual({
      specversion: '1.0',
      id: 't1',
      source: 'oncoimg/timeline-service',
      type: TIMELINE_EVENT_TYPE,
      subject: 'urn:mrn|7',
      time: '2025-03-01T10:00:00.000Z',
      datacontenttype: TIMELINE_EVENT_CONTENT_TYPE,
    });
    expect(headers).not.toHaveProperty('traceparent');
  });

  it('give every event its own id', () => {
    const options = { patientKey: 'Patient/1', source: 's', time: '2025-03-01T10:00:00.000Z' };
    expect(buildTimelineEventHeaders(options).ce_id).not.toBe(buildTimelineEventHeaders(options).ce_id);
  });
});
