import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { CE_HEADERS } from '@oncoimg/fhir-events';
import { serviceMetrics, silentLogger, type Logger } from '@oncoimg/telemetry';
import { Partitioners, type Producer, type RecordMetadata } from 'kafkajs';
import { KafkaError } from './errors.ts';
import { createKafkaClient } from './kafka-client.ts';
import type { KafkaConnection } from './kafka-security.ts';
import { PRODUCER_RETRY } from './kafkajs-retry.ts';
import { extractTraceContext, injectTraceContext, kafkaTracer } from './trace-context.ts';

/** One message to publish. */
export interface OutgoingMessage {
  key: string;
  value: string | Buffer;
  headers: Record<string, string>;
}

export interface EventProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  /** Resolves once every message is acknowledged by all in-sync replicas. */
  send(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
}

export interface EventProducerOptions extends KafkaConnection {
  clientId: string;
  logger?: Logger;
  connectionTimeoutMs?: number;
}

/**
 * The producer every service publishes with: idempotent and `acks=all`, so an acknowledged event is
 * on every in-sync replica exactly once per send. `maxInFlightRequests: 1` is required by kafkajs's
 * idempotent producer (it fails with OUT_OF_ORDER_SEQUENCE otherwise) and also keeps per-key order.
 *
 * Each message gets a `send` span. A message that already carries a `traceparent` (written by the
 * outbox when the request was handled) continues that trace; the header is replaced by the span's
 * own context, so the consumer's span becomes the child of this one in the same trace. Spans follow
 * the messaging conventions without `kafka.message.key`: the key is the patient key. Acknowledged
 * messages are counted by topic and CloudEvents type (`oncoimg.events.published`).
 */
export function createEventProducer({
  brokers,
  security,
  clientId,
  logger = silentLogger,
  connectionTimeoutMs,
}: EventProducerOptions): EventProducer {
  const kafka = createKafkaClient({ brokers, security, clientId, logger, connectionTimeoutMs });
  let producer: Producer | undefined;
  let connecting: Promise<Producer> | undefined;

  /** Connects on first use, so a service can start (and accept writes) while Kafka is down. */
  function connected(): Promise<Producer> {
    connecting ??= (async () => {
      const created = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        // The Java client's murmur2 partitioner: a patient lands on the same partition whichever
        // client (ours, a vendor's Java producer, a replay) writes the key.
        createPartitioner: Partitioners.DefaultPartitioner,
        allowAutoTopicCreation: true,
        retry: PRODUCER_RETRY,
      });
      try {
        await created.connect();
      } catch (error) {
        connecting = undefined;
        await created.disconnect().catch(() => {});
        throw new KafkaError('CONNECTION_FAILED', `could not connect the producer to ${brokers.join(',')}`, {
          retriable: true,
          cause: error,
        });
      }
      producer = created;
      return created;
    })();
    return connecting;
  }

  async function resetProducer(): Promise<void> {
    const current = producer;
    producer = undefined;
    connecting = undefined;
    await current?.disconnect();
  }

  return {
    async connect() {
      await connected();
    },
    disconnect: resetProducer,
    async send(topic, messages) {
      if (messages.length === 0) {
        return;
      }
      const tracer = kafkaTracer();
      const spans: Span[] = [];
      const prepared = messages.map((message) => {
        const headers = { ...message.headers };
        const parent = headers.traceparent ? extractTraceContext(headers) : context.active();
        const span = tracer.startSpan(
          `send ${topic}`,
          {
            kind: SpanKind.PRODUCER,
            attributes: {
              'messaging.system': 'kafka',
              'messaging.operation.type': 'send',
              'messaging.operation.name': 'send',
              'messaging.destination.name': topic,
              'messaging.client.id': clientId,
            },
          },
          parent,
        );
        spans.push(span);
        delete headers.traceparent;
        delete headers.tracestate;
        injectTraceContext(trace.setSpan(parent, span), headers);
        return { key: message.key, value: message.value, headers };
      });
      let acknowledged: RecordMetadata[];
      try {
        acknowledged = await (await connected()).send({ topic, acks: -1, messages: prepared });
      } catch (error) {
        for (const span of spans) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: 'send failed' });
          span.end();
        }
        if (error instanceof KafkaError) {
          throw error;
        }
        // A refused produce request (MESSAGE_TOO_LARGE, …) may have been written on some of its
        // partitions and not on others, and kafkajs then rewinds the sequence numbers of all of
        // them: a retry of part of it would be refused as OUT_OF_ORDER_SEQUENCE_NUMBER forever. A
        // new producer id starts clean sequences (at worst a row is published twice: at least once).
        if (
          typeof error === 'object' &&
          error !== null &&
          (error as { retriable?: unknown }).retriable === false
        ) {
          await resetProducer().catch(() => undefined);
        }
        throw new KafkaError(
          'SEND_FAILED',
          `publishing ${String(messages.length)} message(s) to ${topic} failed`,
          {
            retriable: true,
            cause: error,
          },
        );
      }
      // One partition answered for the whole call (always so for a single message): name it.
      const partition = acknowledged.length === 1 ? acknowledged.at(0)?.partition : undefined;
      for (const span of spans) {
        if (partition !== undefined) {
          span.setAttribute('messaging.destination.partition.id', String(partition));
        }
        span.end();
      }
      const metrics = serviceMetrics();
      for (const message of messages) {
        metrics.recordPublished(topic, message.headers[CE_HEADERS.type]);
      }
    },
  };
}
