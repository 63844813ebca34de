import type { ImagingResourceType } from '@oncoimg/fhir-events';
import { ConfigError, createHttpAccess, installShutdownHandlers, type Env } from '@oncoimg/service-runtime';
import { openDatabase } from '@oncoimg/store';
import { createLogger, parseLogLevel, startTelemetry } from '@oncoimg/telemetry';
import { readIntakeConfig } from './intake-config.ts';
import { createIntakeService, type IntakeServiceOptions } from './intake-service.ts';

export interface IntakeMainOptions {
  name: string;
  resourceType: ImagingResourceType;
  rules?: IntakeServiceOptions['rules'];
  defaultPort: number;
  schema: string;
  /** The process environment, which only the service's main.ts reads. */
  env: Env;
  extend?: IntakeServiceOptions['extend'];
}

/**
 * The body of an intake service's main.ts: reads its settings from `env` once, starts telemetry
 * (OTEL_* variables, `/metrics`), opens the database, starts, and stops cleanly on SIGTERM or
 * SIGINT. Exits 1 with a message naming the setting on bad config.
 */
export async function runIntakeService({
  name,
  resourceType,
  rules,
  defaultPort,
  schema,
  env,
  extend,
}: IntakeMainOptions): Promise<void> {
  try {
    const config = readIntakeConfig(env, { port: defaultPort, serviceName: name, schema });
    // Before any server exists: the HTTP instrumentation patches every server created after it.
    const telemetry = startTelemetry({ serviceName: name, env });
    const logger = createLogger({ service: name, level: parseLogLevel(config.logLevel) });
    const db = await openDatabase({
      url: config.databaseUrl,
      dataDir: config.databaseUrl ? undefined : config.dataDir,
      schema: config.schema,
      applicationName: name,
      logger,
    });
    const service = createIntakeService({
      name,
      resourceType,
      rules,
      db,
      brokers: config.brokers,
      access: createHttpAccess(config.access),
      port: config.port,
      host: config.host,
      topics: config.topics,
      bodyLimitBytes: config.bodyLimitBytes,
      admission: config.admission,
      topicPartitions: config.topicPartitions,
      rateLimit: config.rateLimit,
      logger,
      extend,
    });
    // Stop HTTP, consumer and relay before the database they write to; flush spans last.
    installShutdownHandlers([service, { stop: () => db.close() }, { stop: () => telemetry.shutdown() }]);
    const { port } = await service.start();
    logger.info(`${name} listening`, { url: `http://${config.host}:${String(port)}/fhir/metadata` });
  } catch (error) {
    process.stderr.write(
      `${name} failed to start: ${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  }
}
