import { IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { ATTR_HTTP_ROUTE, ATTR_URL_PATH, ATTR_URL_QUERY } from '@opentelemetry/semantic-conventions';
import { serviceMetrics } from './metrics.ts';

/** The route label of requests no route answered (404s, static files): their paths are not bounded. */
export const UNMATCHED_ROUTE = '(unmatched)';

/** Probes and scrapes: frequent, uninteresting, and they would drown the request traces. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

interface RoutedRequest extends IncomingMessage {
  /** Set by express: where the router that matched is mounted. */
  baseUrl?: string;
  /** Set by express: the route that matched. */
  route?: { path?: unknown };
}

/**
 * The express route template a request matched (`/api/patients/:patientKey/timeline`), or
 * undefined. Paths hold patient keys and resource ids, so only templates go into labels and spans.
 */
export function routeTemplateOf(request: IncomingMessage): string | undefined {
  const { route, baseUrl } = request as RoutedRequest;
  if (!route || typeof route.path !== 'string') {
    return undefined;
  }
  return `${baseUrl ?? ''}${route.path}` || '/';
}

/**
 * Express middleware (register it first) that counts every answered request by method, route
 * template and status class.
 */
export function httpMetricsMiddleware(): (
  request: IncomingMessage,
  response: ServerResponse,
  next: () => void,
) => void {
  return (request, response, next) => {
    let recorded = false;
    const record = (): void => {
      if (recorded) {
        return;
      }
      recorded = true;
      serviceMetrics().recordHttpRequest({
        method: request.method ?? 'GET',
        route: routeTemplateOf(request) ?? UNMATCHED_ROUTE,
        statusCode: response.statusCode,
      });
    };
    response.once('finish', record);
    response.once('close', record);
    next();
  };
}

/**
 * HTTP server spans without patient data: `url.path` and `url.query` (which hold patient keys,
 * identifiers in searches, resource ids) are dropped; the span gets the route template as
 * `http.route` and its name (`GET /api/patients/:patientKey/timeline`). Outgoing requests are not
 * traced: the services make none, and a client URL would need the same care.
 */
export function createHttpInstrumentation(): HttpInstrumentation {
  return new HttpInstrumentation({
    disableOutgoingRequestInstrumentation: true,
    ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.has((request.url ?? '').split('?')[0]),
    startIncomingSpanHook: () => ({ [ATTR_URL_PATH]: undefined, [ATTR_URL_QUERY]: undefined }),
    applyCustomAttributesOnSpan: (span, request) => {
      if (!(request instanceof IncomingMessage)) {
        return;
      }
      const route = routeTemplateOf(request);
      if (route === undefined) {
        return;
      }
      span.setAttribute(ATTR_HTTP_ROUTE, route);
      span.updateName(`${request.method ?? 'GET'} ${route}`);
    },
  });
}

/**
 * The instrumentation patches `http.Server.prototype.emit` when a CommonJS `require('http')` runs
 * after it was enabled. ES modules that imported `node:http` (or express) earlier never trigger it,
 * so this requires it once more: every server of the process, existing or future, is then traced.
 */
export function patchHttpServers(): void {
  createRequire(import.meta.url)('node:http');
}

/**
 * HTTP server spans in a process that registered its own tracer provider instead of calling
 * `startTelemetry()` (tests). `disable()` the result to stop.
 */
export function instrumentHttpServers(): HttpInstrumentation {
  const instrumentation = createHttpInstrumentation();
  instrumentation.enable();
  patchHttpServers();
  return instrumentation;
}
