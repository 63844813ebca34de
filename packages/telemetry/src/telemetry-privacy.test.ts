import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpInstrumentation, httpMetricsMiddleware, UNMATCHED_ROUTE } from './http-telemetry.ts';
import { PROMETHEUS_NAMES, serviceMetrics, statusClassOf } from './metrics.ts';
import { metricsHandler, traceExportFromEnv } from './start-telemetry.ts';

/** A patient of the run: what must never come out of it. */
const PATIENT_IDENTIFIER = 'MRN-7731924';
const PATIENT_KEY = `urn:oid:2.16.840.1.113883.2.4.6.3|${PATIENT_IDENTIFIER}`;

class CollectingReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** An express-routed request as the middleware and the span hook see it (no socket I/O happens). */
function routedRequest(url: string, method: string, route?: { baseUrl: string; path: string }) {
  const request = new IncomingMessage(new Socket());
  request.url = url;
  request.method = method;
  if (route) {
    Object.assign(request, { baseUrl: route.baseUrl, route: { path: route.path } });
  }
  return { request, response: new ServerResponse(request) };
}

function answer(
  request: IncomingMessage,
  response: ServerResponse,
  statusCode: number,
  route?: { baseUrl: string; path: string },
) {
  httpMetricsMiddleware()(request, response, () => {
    // express routes after the middleware ran: that is when `route` appears.
    if (route) {
      Object.assign(request, { baseUrl: route.baseUrl, route: { path: route.path } });
    }
  });
  response.statusCode = statusCode;
  response.emit('finish');
  response.emit('close');
}

describe('telemetry carries no patient data', () => {
  const reader = new CollectingReader();
  const provider = new MeterProvider({ readers: [reader] });

  beforeAll(() => {
    metrics.setGlobalMeterProvider(provider);
  });
  afterAll(async () => {
    await provider.shutdown();
    metrics.disable();
  });

  async function collectedText(): Promise<string> {
    const { resourceMetrics } = await reader.collect();
    return JSON.stringify(resourceMetrics.scopeMetrics);
  }

  it('labels requests by route template and status class, never by the path that held the patient key', async () => {
    const timeline = { baseUrl: '/api', path: '/patients/:patientKey/timeline' };
    const path = `/api/patients/${encodeURIComponent(PATIENT_KEY)}/timeline`;
    const ok = routedRequest(path, 'GET');
    answer(ok.request, ok.response, 200, timeline);
    const search = routedRequest(`/fhir/ServiceRequest?identifier=${PATIENT_IDENTIFIER}`, 'GET');
    answer(search.request, search.response, 200, { baseUrl: '/fhir', path: '/:type' });
    const missing = routedRequest(`/nowhere/${PATIENT_IDENTIFIER}`, 'GET');
    answer(missing.request, missing.response, 404);

    const text = await collectedText();
    expect(text).not.toContain(PATIENT_IDENTIFIER);
    const { resourceMetrics } = await reader.collect();
    const requests = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === 'oncoimg.http.server.requests');
    expect(requests?.dataPoints.map((p) => p.attributes)).toEqual(
      expect.arrayContaining([
        { method: 'GET', route: '/api/patients/:patientKey/timeline', status_class: '2xx' },
        { method: 'GET', route: '/fhir/:type', status_class: '2xx' },
        { method: 'GET', route: UNMATCHED_ROUTE, status_class: '4xx' },
      ]),
    );
  });

  it('counts publishes, dead letters, backlog and lag with bounded labels only', async () => {
    const service = serviceMetrics();
    service.recordPublished('oncoimg.imaging.servicerequest.v1', 'imaging.servicerequest.created', 2);
    service.recordDeadLetter('oncoimg.imaging.servicerequest.v1', 'INVALID_EVENT');
    const stopBacklog = service.observeOutboxBacklog('order-service', () => 3);
    const stopLag = service.observeConsumerLag('timeline', () =>
      Promise.resolve([{ topic: 'oncoimg.imaging.servicerequest.v1', partition: 1, lag: 4 }]),
    );
    const text = await collectedText();
    stopBacklog();
    stopLag();
    expect(text).not.toContain(PATIENT_IDENTIFIER);
    for (const name of [
      'oncoimg.events.published',
      'oncoimg.dead_letters',
      'oncoimg.outbox.backlog',
      'oncoimg.consumer.lag',
    ]) {
      expect(text).toContain(`"name":"${name}"`);
    }
    expect(text).toContain('"partition":"1"');
    expect(text).toContain('"reason":"INVALID_EVENT"');
  });

  it('asks the broker for lag at most once per interval, however often it is scraped', async () => {
    let reads = 0;
    const stop = serviceMetrics().observeConsumerLag(
      'g',
      () => {
        reads += 1;
        return Promise.resolve([{ topic: 't', partition: 0, lag: reads }]);
      },
      { minIntervalMs: 60_000 },
    );
    await reader.collect();
    await reader.collect();
    stop();
    expect(reads).toBe(1);
  });

  it('HTTP server spans drop the URL path and query and carry the route template instead', () => {
    const instrumentation = createHttpInstrumentation();
    instrumentation.disable();
    const config = instrumentation.getConfig();
    const { request, response } = routedRequest(
      `/api/patients/${encodeURIComponent(PATIENT_KEY)}/timeline?identifier=${PATIENT_IDENTIFIER}`,
      'GET',
      { baseUrl: '/api', path: '/patients/:patientKey/timeline' },
    );
    const exporter = new InMemorySpanExporter();
    const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer(
      't',
    );
    // What the instrumentation does: its own attributes, then the hook's on top.
    const span = tracer.startSpan('GET', {
      attributes: {
        'url.path': request.url?.split('?')[0],
        'url.query': request.url?.split('?')[1],
        ...config.startIncomingSpanHook?.(request),
      },
    });
    config.applyCustomAttributesOnSpan?.(span, request, response);
    span.end();
    const [finished] = exporter.getFinishedSpans();
    expect(JSON.stringify({ name: finished.name, attributes: finished.attributes })).not.toContain(
      PATIENT_IDENTIFIER,
    );
    expect(finished.name).toBe('GET /api/patients/:patientKey/timeline');
    expect(finished.attributes['http.route']).toBe('/api/patients/:patientKey/timeline');
    expect(config.ignoreIncomingRequestHook?.(routedRequest('/metrics', 'GET').request)).toBe(true);
  });
});

describe('telemetry settings', () => {
  it('exports spans only when an OTEL_* variable asks for it', () => {
    expect(traceExportFromEnv({})).toBe('none');
    expect(traceExportFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe('otlp-http');
    expect(traceExportFromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' })).toBe(
      'otlp-http',
    );
    expect(traceExportFromEnv({ OTEL_TRACES_EXPORTER: 'console' })).toBe('env');
    expect(
      traceExportFromEnv({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }),
    ).toBe('none');
  });

  it('status classes group codes and never pass a raw code through', () => {
    expect([200, 201, 304, 404, 422, 503, 0].map(statusClassOf)).toEqual([
      '2xx',
      '2xx',
      '3xx',
      '4xx',
      '4xx',
      '5xx',
      'other',
    ]);
  });

  it('/metrics says so when telemetry was never started in the process', () => {
    const { request, response } = routedRequest('/metrics', 'GET');
    let body = '';
    response.end = ((chunk: string) => {
      body = chunk;
      return response;
    }) as typeof response.end;
    metricsHandler(request, response);
    expect(response.statusCode).toBe(503);
    expect(body).toMatch(/not started/);
    expect(Object.values(PROMETHEUS_NAMES)).toContain('oncoimg_http_server_requests_total');
  });
});
