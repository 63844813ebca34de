/**
 * The rest-hook delivery continues the trace of the event it carries: the `deliver` span is a child
 * of the consumed message's trace context (so the FHIR POST that made the event and the delivery
 * share one trace id), links to the traces of the other events in the notification, and sends its
 * own context to the endpoint in `traceparent`.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postRestHook } from '../../services/subscription-service/src/delivery/rest-hook.ts';

const exporter = new InMemorySpanExporter();
const FIRST = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' };
const SECOND = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' };
const traceparent = ({ traceId, spanId }: typeof FIRST) => `00-${traceId}-${spanId}-01`;

describe('tracing of a rest-hook delivery', () => {
  let received: IncomingHttpHeaders | undefined;
  const server = createServer((req, res) => {
    received = req.headers;
    req.resume();
    req.on('end', () => res.writeHead(200).end());
  });
  let endpoint = '';

  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/hook`;
  });

  afterAll(async () => {
    trace.disable();
    context.disable();
    propagation.disable();
    await new Promise((resolve) => server.close(resolve));
  });

  it('is a child of the first event’s trace, links the others, and propagates to the endpoint', async () => {
    const result = await postRestHook({
      endpoint,
      bundle: { resourceType: 'Bundle', type: 'history', entry: [{}, {}, {}] },
      headers: ['Authorization: Bearer receiver-secret'],
      timeoutMs: 5_000,
      traceparents: [traceparent(FIRST), traceparent(SECOND)],
      notificationType: 'event-notification',
    });
    expect(result).toEqual({ ok: true, status: 200 });
    const spans = exporter.getFinishedSpans().filter((s) => s.name === 'deliver subscription notification');
    expect(spans).toHaveLength(1);
    const [span] = spans;
    expect(span.spanContext().traceId).toBe(FIRST.traceId);
    expect(span.parentSpanContext?.spanId).toBe(FIRST.spanId);
    expect(span.links.map((link) => link.context.traceId)).toEqual([SECOND.traceId]);
    expect(span.attributes).toEqual({
      'subscription.notification.type': 'event-notification',
      'subscription.notification.events': 2,
      'http.response.status_code': 200,
    });
    expect(received?.traceparent).toBe(`00-${FIRST.traceId}-${span.spanContext().spanId}-01`);
    expect(received?.authorization).toBe('Bearer receiver-secret');
  });
});
