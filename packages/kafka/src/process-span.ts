import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
} from '@opentelemetry/api';
import { errorCodeOf } from './errors.ts';
import { extractTraceContext, kafkaTracer } from './trace-context.ts';

/** Where a delivery comes from, for the span's name and attributes. */
export interface Delivery {
  topic: string;
  partition: number;
  groupId: string;
  clientId: string;
}

/** What a span needs of each delivered message: its offset and its trace headers. */
export interface TracedMessage {
  offset: string;
  headers: Record<string, string>;
}

export interface ProcessSpanPlan {
  name: string;
  parent: Context;
  links: Link[];
  attributes: Attributes;
}

/**
 * The `process` span of a delivery: child of the first message's trace, linked to the traces of
 * the others. Attributes follow the messaging conventions and leave out the key (a patient key).
 */
export function planProcessSpan(messages: readonly TracedMessage[], delivery: Delivery): ProcessSpanPlan {
  const first = messages.at(0);
  const parent = first ? extractTraceContext(first.headers) : context.active();
  const links = messages.slice(1).flatMap((m): Link[] => {
    const spanContext = trace.getSpanContext(extractTraceContext(m.headers));
    return spanContext ? [{ context: spanContext }] : [];
  });
  return {
    name: `process ${delivery.topic}`,
    parent,
    links,
    attributes: {
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': delivery.topic,
      'messaging.destination.partition.id': String(delivery.partition),
      'messaging.consumer.group.name': delivery.groupId,
      'messaging.client.id': delivery.clientId,
      ...(messages.length > 1 ? { 'messaging.batch.message_count': messages.length } : {}),
      ...(first && messages.length === 1 ? { 'kafka.offset': Number(first.offset) } : {}),
    },
  };
}

/** Runs `work` inside the delivery's `process` span; a failure marks the span with its error code. */
export async function inProcessSpan(
  messages: readonly TracedMessage[],
  delivery: Delivery,
  work: () => Promise<void>,
): Promise<void> {
  const { name, parent, links, attributes } = planProcessSpan(messages, delivery);
  const span = kafkaTracer().startSpan(name, { kind: SpanKind.CONSUMER, links, attributes }, parent);
  try {
    await context.with(trace.setSpan(parent, span), work);
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: errorCodeOf(error) });
    throw error;
  } finally {
    span.end();
  }
}
