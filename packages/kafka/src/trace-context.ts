import {
  context,
  propagation,
  trace,
  type Context,
  type TextMapGetter,
  type TextMapSetter,
  type Tracer,
} from '@opentelemetry/api';

/** Spans of this package. Attributes follow the OpenTelemetry messaging conventions and never carry keys or values (a key is a patient identifier). */
export function kafkaTracer(): Tracer {
  return trace.getTracer('@oncoimg/kafka');
}

const setter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

const getter: TextMapGetter<Record<string, string>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};

/** Writes the W3C trace context of `ctx` into message headers. */
export function injectTraceContext(ctx: Context, headers: Record<string, string>): void {
  propagation.inject(ctx, headers, setter);
}

/** The context a message's headers carry (its `traceparent`), on top of the active one. */
export function extractTraceContext(headers: Record<string, string>): Context {
  return propagation.extract(context.active(), headers, getter);
}
