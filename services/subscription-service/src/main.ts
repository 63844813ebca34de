/**
 * Composition root of the subscription service: reads the environment once, opens the store,
 * starts the consumer, the deliverer and the HTTP server, and stops them on SIGTERM or SIGINT.
 */
import { createHttpAccess, installShutdownHandlers } from '@oncoimg/service-runtime';
import { openDatabase } from '@oncoimg/store';
import { createLogger, parseLogLevel, startTelemetry } from '@oncoimg/telemetry';
import { ConfigError, readSubscriptionConfig } from './config.ts';
import { createSubscriptionService, SUBSCRIPTION_SERVICE_NAME } from './subscription-service.ts';

async function main(): Promise<void> {
  const config = readSubscriptionConfig(process.env);
  // Before any server exists: the HTTP instrumentation patches every server created after it.
  const telemetry = startTelemetry({ serviceName: SUBSCRIPTION_SERVICE_NAME, env: process.env });
  const logger = createLogger({ service: SUBSCRIPTION_SERVICE_NAME, level: parseLogLevel(config.logLevel) });
  if (config.allowList.length === 0) {
    logger.warn('SUBSCRIPTION_ENDPOINT_ALLOW_LIST is empty: every Subscription endpoint is refused');
  }
  const db = await openDatabase({
    url: config.databaseUrl,
    dataDir: config.databaseUrl ? undefined : config.dataDir,
    schema: config.schema,
    applicationName: SUBSCRIPTION_SERVICE_NAME,
    logger,
  });
  const service = createSubscriptionService({
    db,
    brokers: config.brokers,
    kafkaSecurity: config.kafkaSecurity,
    access: createHttpAccess(config.access),
    port: config.port,
    host: config.host,
    topics: config.topics,
    groupId: config.groupId,
    sessionTimeoutMs: config.sessionTimeoutMs,
    allowList: config.allowList,
    retry: config.retry,
    resourceBase: (type) => config.resourceBases[type] ?? config.publicBase ?? '',
    ...(config.publicBase ? { publicBase: config.publicBase } : {}),
    logger,
  });
  // Stop HTTP, consumer and deliverer before the database they write to; flush spans last.
  installShutdownHandlers([service, { stop: () => db.close() }, { stop: () => telemetry.shutdown() }]);
  const { port } = await service.start();
  logger.info('subscription service listening', { url: `http://${config.host}:${String(port)}/fhir` });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `subscription-service failed to start: ${error instanceof ConfigError ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
