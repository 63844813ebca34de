/**
 * OpenTelemetry set-up of a service process.
 *
 * Loading order: the HTTP instrumentation patches `http.Server.prototype.emit`, which it can do
 * only when a CommonJS `require('http')` runs after it is enabled. Services are ES modules that
 * import express (and so `http`) before `startTelemetry()` runs, so `startTelemetry()` requires
 * `node:http` itself once the SDK started (`patchHttpServers`): the prototype patch then covers
 * every server, whatever was imported first. No `--import` flag or dynamic import is needed, and
 * `node src/main.ts` (what `npm start` spawns) works as it is. Only servers are traced; outgoing
 * HTTP calls (which the services do not make) would need `--import` of the ESM loader hook.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { createHttpInstrumentation, patchHttpServers } from './http-telemetry.ts';

export interface TelemetryOptions {
  serviceName: string;
  serviceVersion?: string;
  /** The OTEL_* settings; the process environment by default. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Where finished spans go: an OTLP collector, what OTEL_TRACES_EXPORTER names, or nowhere. */
export type TraceExport = 'otlp-http' | 'env' | 'none';

export interface Telemetry {
  /** False when OTEL_SDK_DISABLED=true: no spans, no metrics. */
  enabled: boolean;
  traces: TraceExport;
  /** Flushes pending spans and stops the SDK. */
  shutdown(): Promise<void>;
}

let prometheus: PrometheusExporter | undefined;
let disabled = false;

/** The pull reader behind `/metrics`; the exporter's own HTTP server is never started. */
function prometheusReader(): PrometheusExporter {
  prometheus ??= new PrometheusExporter({ preventServerStart: true });
  return prometheus;
}

function isTrue(value: string | undefined): boolean {
  return value?.trim().toLowerCase() === 'true';
}

function set(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== '';
}

/** The trace export OTEL_* asks for. Nothing set means spans stay in the process: no network attempt. */
export function traceExportFromEnv(env: Readonly<Record<string, string | undefined>>): TraceExport {
  const exporters = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase();
  if (exporters === 'none') {
    return 'none';
  }
  if (set(exporters)) {
    return 'env';
  }
  if (set(env.OTEL_EXPORTER_OTLP_ENDPOINT) || set(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)) {
    return 'otlp-http';
  }
  return 'none';
}

/**
 * Starts tracing (W3C trace context, AsyncLocalStorage, HTTP server spans) and the meter provider
 * read by `/metrics`. Configured by the standard variables: OTEL_SDK_DISABLED, OTEL_SERVICE_NAME,
 * OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT and _HEADERS,
 * OTEL_TRACES_SAMPLER(_ARG), OTEL_PROPAGATORS. Spans are created even with no exporter, so trace
 * ids still travel in `traceparent` headers from request to outbox to consumers.
 */
export function startTelemetry({
  serviceName,
  serviceVersion = '0.1.0',
  env = process.env,
}: TelemetryOptions): Telemetry {
  if (isTrue(env.OTEL_SDK_DISABLED)) {
    disabled = true;
    return { enabled: false, traces: 'none', shutdown: () => Promise.resolve() };
  }
  const traces = traceExportFromEnv(env);
  const sdk = new NodeSDK({
    // OTEL_SERVICE_NAME, when set, names the service (the resource detector reads it).
    serviceName: set(env.OTEL_SERVICE_NAME) ? undefined : serviceName,
    resource: defaultResource().merge(resourceFromAttributes({ [ATTR_SERVICE_VERSION]: serviceVersion })),
    instrumentations: [createHttpInstrumentation()],
    metricReaders: [prometheusReader()],
    // Logs go to stderr through our redacting logger, never to an OTLP endpoint by default.
    ...(set(env.OTEL_LOGS_EXPORTER) ? {} : { logRecordProcessors: [] }),
    ...(traces === 'otlp-http' ? { traceExporter: new OTLPTraceExporter() } : {}),
    ...(traces === 'none' ? { spanProcessors: [new NoopSpanProcessor()] } : {}),
  });
  sdk.start();
  patchHttpServers();
  return { enabled: true, traces, shutdown: () => sdk.shutdown() };
}

/**
 * Registers a meter provider read by `/metrics` when none was started: for services run inside
 * another process (tests) without `startTelemetry()`. Returns false when one was already there.
 */
export function enableInProcessMetrics(serviceName = 'oncoimg'): boolean {
  if (prometheus) {
    return false;
  }
  const provider = new MeterProvider({
    resource: defaultResource().merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName })),
    readers: [prometheusReader()],
  });
  return metrics.setGlobalMeterProvider(provider);
}

/**
 * `GET /metrics` in the Prometheus text format (express-compatible). 503 when telemetry was never
 * started in this process; an empty page when OTEL_SDK_DISABLED=true, so scrapes do not alert.
 */
export function metricsHandler(request: IncomingMessage, response: ServerResponse): void {
  if (prometheus) {
    prometheus.getMetricsRequestHandler(request, response);
    return;
  }
  response.statusCode = disabled ? 200 : 503;
  response.setHeader('content-type', 'text/plain; charset=utf-8');
  response.end(disabled ? '# OTEL_SDK_DISABLED=true: no metrics\n' : '# telemetry not started\n');
}
