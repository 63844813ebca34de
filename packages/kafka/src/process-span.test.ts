import { propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planProcessSpan } from './process-span.ts';

const delivery = { topic: 'fhir.imagingstudy', partition: 1, groupId: 'timeline', clientId: 'timeline-1' };
const traceparent = (traceId: string, spanId: string) => `00-${traceId}-${spanId}-01`;
const first = {
  offset: '7',
  headers: { traceparent: traceparent('0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331') },
};
const second = {
  offset: '8',
  headers: { traceparent: traceparent('4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7') },
};

beforeAll(() => {
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});

afterAll(() => {
  propagation.disable();
});

describe('process span', () => {
  it('continues the trace of a single message and names its offset', () => {
    const plan = planProcessSpan([first], delivery);
    expect(plan.name).toBe('process fhir.imagingstudy');
    expect(trace.getSpanContext(plan.parent)).toMatchObject({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
    });
    expect(plan.links).toEqual([]);
    expect(plan.attributes).toEqual({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': 'fhir.imagingstudy',
      'messaging.destination.partition.id': '1',
      'messaging.consumer.group.name': 'timeline',
      'messaging.client.id': 'timeline-1',
      'kafka.offset': 7,
    });
  });

  it('in a batch, continues the first trace, links the others and counts the messages', () => {
    const plan = planProcessSpan([first, second, { offset: '9', headers: {} }], delivery);
    expect(trace.getSpanContext(plan.parent)?.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(plan.links.map((link) => link.context.traceId)).toEqual(['4bf92f3577b34da6a3ce929d0e0e4736']);
    expect(plan.attributes['messaging.batch.message_count']).toBe(3);
    expect(plan.attributes).not.toHaveProperty('kafka.offset');
  });

  it('starts a new trace for a message without trace headers', () => {
    const plan = planProcessSpan([{ offset: '3', headers: {} }], delivery);
    expect(trace.getSpanContext(plan.parent)).toBeUndefined();
  });

  it('never puts a message key or value into the attributes', () => {
    const plan = planProcessSpan(
      [{ ...first, headers: { ...first.headers, ce_subject: 'MRN-001' } }],
      delivery,
    );
    expect(JSON.stringify(plan.attributes)).not.toContain('MRN-001');
  });
});
