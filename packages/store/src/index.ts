export type { Database, DatabaseKind, Queryable, QueryResult } from './database.ts';
export { openDatabase, type OpenDatabaseOptions } from './open-database.ts';
export { CONNECT_TIMEOUT_MS } from './postgres-database.ts';
export {
  STORE_ERROR_CODES,
  StoreError,
  isStoreError,
  storeErrorCodeForSqlState,
  toStoreError,
  type StoreErrorCode,
} from './errors.ts';
export { migrate, MIGRATION_LOCK_NAMESPACE, type Migration, type MigrateResult } from './migrate.ts';
export { outboxMigrations } from './outbox/outbox.migrations.ts';
export { enqueueOutbox, type OutboxMessage } from './outbox/enqueue-outbox.ts';
export {
  createOutboxRelay,
  DEFAULT_OUTBOX_RETENTION,
  OUTBOX_LOCK_NAMESPACE,
  type OutboxProducer,
  type OutboxRelay,
  type OutboxRelayOptions,
  type OutboxRelayStatus,
  type OutboxRetention,
  type OutgoingOutboxMessage,
} from './outbox/outbox-relay.ts';
export { RELAY_BACKOFF_INITIAL_MS, RELAY_BACKOFF_MAX_MS } from './outbox/relay-backoff.ts';
export { DEFAULT_MAX_ROW_BYTES, DEFAULT_MAX_SEND_BYTES, outboxSendLimits } from './outbox/send-batches.ts';
export { RECORD_REJECTIONS } from './outbox/relay-failure.ts';
export { ROW_TOO_LARGE } from './outbox/publish-rows.ts';
export { listOutboxDeadLetters, type OutboxDeadLetter } from './outbox/dead-letter-rows.ts';
export { listOutboxDeadLetterSummaries, type OutboxDeadLetterSummary } from './outbox/dead-letter-summary.ts';
export { pruneSentOutbox, type PruneSentOutboxOptions } from './outbox/prune-sent-outbox.ts';
export { resourceMigrations } from './resources/resource.migrations.ts';
export { createResourceRepository } from './resources/resource-repository.ts';
export { DEFAULT_SEARCH_COUNT, MAX_SEARCH_COUNT } from './resources/resource-reads.ts';
export type {
  HistoryEntry,
  ResourceRepository,
  SearchCriteria,
  StoredResource,
  WriteAction,
  WriteResult,
} from './resources/resource.types.ts';
export { RESOURCE_ID, checkResourceId } from './resources/resource-ids.ts';
export { patientKeysOf, searchTokensOf } from './resources/search-tokens.ts';
export {
  writeResources,
  type ResourceWriteAnswer,
  type ResourceWriteRequest,
  type WriteResourcesOptions,
} from './resources/write-resources.ts';
export type { BulkOutboxMessage } from './resources/bulk-statements.ts';
export { withTraceContext } from './outbox/enqueue-outbox.ts';
export {
  consumerOffsetMigrations,
  positionsAfter,
  readPositions,
  savePositions,
  unprocessedMessages,
  type PartitionPosition,
  type PositionedMessage,
} from './consumer-offsets/consumer-offsets.ts';
export { relayBackoffMs, type BackoffSettings } from './outbox/relay-backoff.ts';
export { copyValue } from './copy-text.ts';
