export * from './intake-rules.ts';
export * from './resource-writer.ts';
export * from './bundle.ts';
export * from './intake-config.ts';
export * from './intake-service.ts';
export * from './run-intake-service.ts';
export * from './intake-writes.ts';
export * from './write-queue.ts';
export { DEFAULT_INTAKE_TOPIC_PARTITIONS } from './intake-topic.ts';
