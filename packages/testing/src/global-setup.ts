/**
 * Vitest global set-up of the integration tier: picks Kafka and PostgreSQL (see
 * select-infrastructure.ts), starts what is needed, provides the addresses to the tests, and stops
 * only what it started.
 */
import type { KafkaSecurity } from '@oncoimg/kafka';
import type { TestProject } from 'vitest/node';
import { adminSecurity, kafkaSecurityForBrokers, localKafkaDataDir } from './kafka-credentials.ts';
import { selectKafka, selectPostgres } from './select-infrastructure.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
    /** The super user's credentials on that Kafka; undefined for PLAINTEXT. */
    kafkaSecurity: KafkaSecurity | undefined;
    databaseUrl: string | undefined;
  }
}

/** A container runtime that does not answer within this is treated as absent (no Docker here). */
const RUNTIME_PROBE_MS = 3_000;

async function containerRuntimeAnswers(): Promise<boolean> {
  if (process.env.TESTCONTAINERS_DISABLED === 'true') {
    return false;
  }
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    const probe = getContainerRuntimeClient().then(
      () => true,
      () => false,
    );
    const timeout = new Promise<boolean>((resolve) =>
      setTimeout(() => resolve(false), RUNTIME_PROBE_MS).unref(),
    );
    return await Promise.race([probe, timeout]);
  } catch {
    return false;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const env = process.env;
  const needsRuntime = !env.KAFKA_BROKERS?.trim() || !env.DATABASE_URL?.trim();
  const containerRuntime = needsRuntime ? await containerRuntimeAnswers() : false;
  const teardown: (() => Promise<void>)[] = [];

  const kafka = selectKafka({ env, containerRuntime });
  let brokers: string;
  let security: KafkaSecurity | undefined;
  if (kafka.kind === 'env') {
    brokers = kafka.brokers;
    security = await kafkaSecurityForBrokers(env, brokers);
  } else if (kafka.kind === 'testcontainers') {
    const { KafkaContainer } = await import('@testcontainers/kafka');
    const container = await new KafkaContainer('apache/kafka:4.4.0').withKraft().start();
    brokers = `${container.getHost()}:${String(container.getMappedPort(9093))}`;
    teardown.push(async () => {
      await container.stop();
    });
  } else {
    const { startKafkaBroker } = await import('@oncoimg/kafka-local');
    const broker = await startKafkaBroker({
      port: kafka.port,
      dataDir: localKafkaDataDir(env),
      log: (line) => process.stderr.write(`${line}\n`),
    });
    brokers = broker.brokers;
    security = adminSecurity(broker.credentials);
    if (broker.startedByUs) {
      teardown.push(() => broker.stop());
    }
  }

  const postgres = selectPostgres({ env, containerRuntime });
  let databaseUrl: string | undefined;
  if (postgres.kind === 'env') {
    databaseUrl = postgres.url;
  } else if (postgres.kind === 'testcontainers') {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:17.6-alpine').start();
    databaseUrl = container.getConnectionUri();
    teardown.push(async () => {
      await container.stop();
    });
  }

  process.stderr.write(
    `integration tests: Kafka ${kafka.kind} (${brokers}, ${security?.sasl ? `SASL as ${security.sasl.username}` : 'no credentials'}), PostgreSQL ${postgres.kind}${databaseUrl ? '' : ' (PGlite only)'}\n`,
  );
  project.provide('kafkaBrokers', brokers);
  project.provide('kafkaSecurity', security);
  project.provide('databaseUrl', databaseUrl);
  return async () => {
    for (const stop of teardown.reverse()) {
      await stop();
    }
  };
}
