/**
 * `npm run kafka:<command>`: fetch | start | stop | status of the local Kafka broker.
 * Settings: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (port + 1), KAFKA_DATA_DIR (.data/kafka).
 */
import { resolve } from 'node:path';
import { KAFKA_VERSION } from './kafka-version.ts';
import { fetchKafka } from './fetch-kafka.ts';
import { credentialsPath, readBrokerCredentials } from './credentials.ts';
import {
  kafkaAnswers,
  runningBrokerPid,
  saslFor,
  startKafkaBroker,
  stopKafkaBroker,
} from './kafka-broker.ts';
import { DEFAULT_DATA_DIR } from './paths.ts';

const USAGE = `usage: kafka-local <fetch|start|stop|status>
  fetch   download Apache Kafka ${KAFKA_VERSION} and its dependencies from Maven Central (cached)
  start   start a single-node KRaft broker on 127.0.0.1:$KAFKA_PORT (default 9092) and wait until it answers
  stop    stop the broker started by 'start'
  status  say whether a broker answers, and whether this data folder's admin signs in to it (exit 0
          only then; 4 when a broker answers without those credentials, 3 when none answers)`;

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65_535) {
    throw new Error(`${name} must be a port number, got ${JSON.stringify(raw)}`);
  }
  return value;
}

async function main(command: string | undefined): Promise<number> {
  const kafkaPort = port('KAFKA_PORT', 9092);
  const controllerPort = port('KAFKA_CONTROLLER_PORT', kafkaPort + 1);
  const dataDir = process.env.KAFKA_DATA_DIR ? resolve(process.env.KAFKA_DATA_DIR) : DEFAULT_DATA_DIR;
  const log = (line: string) => process.stdout.write(`${line}\n`);
  switch (command) {
    case 'fetch':
      log(`Apache Kafka ${KAFKA_VERSION}: ${await fetchKafka({ log })}`);
      return 0;
    case 'start': {
      const broker = await startKafkaBroker({ port: kafkaPort, controllerPort, dataDir, log });
      // Never the passwords: they stay in the owner-only credentials file.
      log(`KAFKA_BROKERS=${broker.brokers} (credentials in ${credentialsPath(dataDir)})`);
      return 0;
    }
    case 'stop':
      log(
        (await stopKafkaBroker(dataDir))
          ? 'Kafka stopped'
          : 'no broker started from this data folder is running',
      );
      return 0;
    case 'status': {
      const brokers = `127.0.0.1:${String(kafkaPort)}`;
      const credentials = await readBrokerCredentials(dataDir);
      const signedIn =
        credentials !== null && (await kafkaAnswers(brokers, 5_000, saslFor(credentials.principals.admin)));
      const answers = signedIn || (await kafkaAnswers(brokers));
      const pid = await runningBrokerPid(dataDir);
      const state = signedIn
        ? `answers on ${brokers} (SASL/SCRAM-SHA-512, credentials in ${credentialsPath(dataDir)})`
        : answers
          ? `a broker answers on ${brokers} without SASL: not this data folder's broker, or an older one (npm run kafka:stop stops our own)`
          : `nothing answers on ${brokers}`;
      log(`Apache Kafka ${KAFKA_VERSION}: ${state}${pid ? ` (pid ${String(pid)})` : ''}`);
      return signedIn ? 0 : answers ? 4 : 3;
    }
    default:
      process.stderr.write(`${USAGE}\n`);
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`kafka-local: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
