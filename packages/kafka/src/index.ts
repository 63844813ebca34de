export * from './errors.ts';
export {
  createEventProducer,
  type EventProducer,
  type EventProducerOptions,
  type OutgoingMessage,
} from './event-producer.ts';
export * from './consumer-runner.ts';
export * from './admin.ts';
export { headersToStrings } from './kafka-client.ts';
export { injectTraceContext, extractTraceContext } from './trace-context.ts';
