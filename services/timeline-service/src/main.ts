/**
 * Composition root of the timeline service: reads the environment once, opens the store, starts
 * the consumer, relay and HTTP server, and stops them all on SIGTERM or SIGINT.
 */
import { createHttpAccess, installShutdownHandlers } from '@oncoimg/service-runtime';
import { isStoreError, openDatabase, type Database } from '@oncoimg/store';
import { createLogger, parseLogLevel, startTelemetry, type Logger } from '@oncoimg/telemetry';
import { ConfigError, readTimelineConfig } from './config.ts';
import { createTimelineService, TIMELINE_SERVICE_NAME } from './timeline-service.ts';

/** Backoff while the database server is unreachable at start: a dependency outage is no reason to exit. */
const OPEN_RETRY_MIN_MS = 500;
const OPEN_RETRY_MAX_MS = 10_000;

async function openUntilReachable(open: () => Promise<Database>, logger: Logger): Promise<Database> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await open();
    } catch (error) {
      if (!isStoreError(error) || !error.retriable) {
        throw error;
      }
      const delayMs = Math.min(OPEN_RETRY_MAX_MS, OPEN_RETRY_MIN_MS * 2 ** attempt);
      logger.warn('database unreachable at start; retrying', { error: error.code, attempt, delayMs });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

async function main(): Promise<void> {
  const config = readTimelineConfig(process.env);
  // Before any server exists: the HTTP instrumentation patches every server created after it.
  const telemetry = startTelemetry({ serviceName: TIMELINE_SERVICE_NAME, env: process.env });
  const logger = createLogger({ service: 'timeline-service', level: parseLogLevel(config.logLevel) });
  const db = await openUntilReachable(
    () =>
      openDatabase({
        url: config.databaseUrl,
        dataDir: config.databaseUrl ? undefined : config.dataDir,
        schema: config.schema,
        applicationName: 'timeline-service',
        logger,
      }),
    logger,
  );
  const service = createTimelineService({
    db,
    brokers: config.brokers,
    kafkaSecurity: config.kafkaSecurity,
    access: createHttpAccess(config.access),
    port: config.port,
    host: config.host,
    topics: config.topics,
    groupId: config.groupId,
    sessionTimeoutMs: config.sessionTimeoutMs,
    unreportedAfterMs: config.unreportedAfterMs,
    webRoot: config.webRoot,
    baselineWindowDays: config.baselineWindowDays,
    confirmationDays: config.confirmationDays,
    pageSignIn: config.pageSignIn,
    corsOrigins: config.corsOrigins,
    rateLimit: config.rateLimit,
    auditRetentionDays: config.auditRetentionDays,
    logger,
  });
  // Stop HTTP, consumer and relay before the database they write to; flush spans last.
  installShutdownHandlers([service, { stop: () => db.close() }, { stop: () => telemetry.shutdown() }]);
  const { port } = await service.start();
  const base = `http://${config.host}:${String(port)}`;
  logger.info('timeline service listening', { url: config.webRoot ? `${base}/` : `${base}/api` });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `timeline-service failed to start: ${error instanceof ConfigError ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
