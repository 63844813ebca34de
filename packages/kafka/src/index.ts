export * from './errors.ts';
export {
  createEventProducer,
  type EventProducer,
  type EventProducerOptions,
  type OutgoingMessage,
} from './event-producer.ts';
export * from './consumer-runner.ts';
export {
  assignCoPartitioned,
  coPartitionedAssigner,
  type AssignableMember,
  type PartitionAssignment,
} from './co-partitioned-assigner.ts';
export type { ConsumerRunnerStats } from './batch-processor.ts';
export {
  DEFAULT_HANDLER_RETRIES,
  DEFAULT_RETRY_INITIAL_MS,
  DEFAULT_RETRY_MAX_MS,
  type RetryPolicy,
} from './retry-policy.ts';
export * from './admin.ts';
export { headersToStrings } from '@oncoimg/fhir-events';
export { injectTraceContext, extractTraceContext } from './trace-context.ts';
export { CONSUMER_SESSION_TIMEOUT_MS, MIN_CONSUMER_SESSION_TIMEOUT_MS } from './kafkajs-retry.ts';
export {
  KafkaSettingError,
  kafkaSecurityEnv,
  kafkajsSecurity,
  readKafkaSecurity,
  type KafkaConnection,
  type KafkaSecurity,
  type SaslMechanism,
} from './kafka-security.ts';
