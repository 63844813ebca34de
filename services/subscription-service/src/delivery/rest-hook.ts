/**
 * One POST of a notification Bundle to a rest-hook endpoint. Redirects are not followed (the
 * allow-list was checked for the endpoint, not for where it might redirect to), the answer's body
 * is not read, and the outcome is reported, never thrown: the deliverer decides what follows.
 */
import type { Bundle } from '@medplum/fhirtypes';
import { extractTraceContext } from '@oncoimg/kafka';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Link } from '@opentelemetry/api';

export interface RestHookRequest {
  endpoint: string;
  bundle: Bundle;
  /** `Name: value` lines of the Subscription's `channel.header`. */
  headers: readonly string[];
  timeoutMs: number;
  /** Trace contexts of the consumed messages this notification carries: the first is the parent. */
  traceparents: readonly string[];
  /** `handshake`, `heartbeat`, `event-notification`: a span attribute. */
  notificationType: string;
}

export type RestHookResult = { ok: true; status: number } | { ok: false; error: string };

export type RestHookPoster = (request: RestHookRequest) => Promise<RestHookResult>;

function describeFailure(error: unknown): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') {
    return 'the endpoint did not answer within the timeout';
  }
  const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof code === 'string' ? `could not reach the endpoint (${code})` : 'could not reach the endpoint';
}

function traceContextOf(traceparent: string) {
  return extractTraceContext({ traceparent });
}

/** POSTs with the W3C trace context of a `deliver` span, child of the first event's trace, linked to the others. */
export const postRestHook: RestHookPoster = async (request) => {
  const [first, ...others] = request.traceparents;
  const parent = first ? traceContextOf(first) : context.active();
  const links = others.flatMap((traceparent): Link[] => {
    const spanContext = trace.getSpanContext(traceContextOf(traceparent));
    return spanContext ? [{ context: spanContext }] : [];
  });
  const span = trace.getTracer('@oncoimg/subscription-service').startSpan(
    'deliver subscription notification',
    {
      kind: SpanKind.PRODUCER,
      links,
      attributes: {
        'subscription.notification.type': request.notificationType,
        'subscription.notification.events': Math.max(0, (request.bundle.entry?.length ?? 1) - 1),
      },
    },
    parent,
  );
  const headers: Record<string, string> = { 'content-type': 'application/fhir+json' };
  for (const line of request.headers) {
    const at = line.indexOf(':');
    headers[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  propagation.inject(trace.setSpan(parent, span), headers);
  try {
    const res = await fetch(request.endpoint, {
      method: 'POST',
      headers,
      body: JSON.stringify(request.bundle),
      redirect: 'manual',
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    await res.body?.cancel().catch(() => undefined);
    span.setAttribute('http.response.status_code', res.status);
    if (res.status >= 200 && res.status < 300) {
      return { ok: true, status: res.status };
    }
    span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${String(res.status)}` });
    return { ok: false, error: `the endpoint answered HTTP ${String(res.status)}` };
  } catch (error) {
    const text = describeFailure(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: text });
    return { ok: false, error: text };
  } finally {
    span.end();
  }
};
