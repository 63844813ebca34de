import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { fetchKafka } from './fetch-kafka.ts';
import { KAFKA_VERSION } from './kafka-version.ts';
import { DEFAULT_CACHE_DIR, DEFAULT_DATA_DIR } from './paths.ts';

export interface KafkaBrokerOptions {
  /** Client port on 127.0.0.1. */
  port?: number;
  /** KRaft controller port; default `port + 1`. */
  controllerPort?: number;
  /** KRaft storage, server.properties, broker.log and broker.pid. */
  dataDir?: string;
  cacheDir?: string;
  version?: string;
  /** Longest wait for a new broker to answer. */
  startTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface KafkaBroker {
  /** `127.0.0.1:<port>` */
  brokers: string;
  /** Null when the broker was already running and is not ours. */
  pid: number | null;
  /** False when a broker already answered on the port: `stop()` then leaves it alone. */
  startedByUs: boolean;
  stop(): Promise<void>;
}

/** A cold JVM formats, elects itself controller and loads the group coordinator in ~10 s here. */
const DEFAULT_START_TIMEOUT_MS = 90_000;
/** Kafka flushes logs and closes its storage on SIGTERM; a loaded broker may take a while. */
const STOP_GRACE_MS = 30_000;

const PID_FILE = 'broker.pid';
const LOG_FILE = 'broker.log';

function propertiesFor({
  port,
  controllerPort,
  logDirs,
}: {
  port: number;
  controllerPort: number;
  logDirs: string;
}): string {
  // No inline comments: .properties values would swallow them.
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${String(controllerPort)}`,
    `listeners=PLAINTEXT://127.0.0.1:${String(port)},CONTROLLER://127.0.0.1:${String(controllerPort)}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${String(port)}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${logDirs}`,
    'num.partitions=3',
    'auto.create.topics.enable=true',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    // Lets consumers ask for a short session, so they resume within seconds of a broker restart.
    'group.min.session.timeout.ms=3000',
    'log.retention.hours=168',
    '',
  ].join('\n');
}

const LOG4J2_CONFIG = `<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN">
  <Appenders>
    <Console name="stdout" target="SYSTEM_OUT">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
    </Console>
  </Appenders>
  <Loggers>
    <Logger name="org.apache.kafka.common.utils.AppInfoParser" level="INFO"/>
    <Logger name="kafka.server.KafkaRaftServer" level="INFO"/>
    <Root level="WARN">
      <AppenderRef ref="stdout"/>
    </Root>
  </Loggers>
</Configuration>
`;

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function portAnswers(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** True when a Kafka broker answers a metadata request on `brokers`. */
export async function kafkaAnswers(brokers: string, timeoutMs = 5_000): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'kafka-local-probe',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: timeoutMs,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid of a broker this package started in `dataDir`, if it still runs. */
export async function runningBrokerPid(dataDir: string = DEFAULT_DATA_DIR): Promise<number | null> {
  try {
    const pid = Number((await readFile(join(dataDir, PID_FILE), 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : null;
  } catch {
    return null;
  }
}

/** Stops the broker whose pid file is in `dataDir`: SIGTERM, then SIGKILL after the grace period. */
export async function stopKafkaBroker(
  dataDir: string = DEFAULT_DATA_DIR,
  graceMs = STOP_GRACE_MS,
): Promise<boolean> {
  const pid = await runningBrokerPid(dataDir);
  if (pid === null) {
    return false;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
  }
  if (isAlive(pid)) {
    process.kill(pid, 'SIGKILL');
  }
  while (isAlive(pid)) {
    await new Promise((r) => setTimeout(r, 100));
  }
  await rm(join(dataDir, PID_FILE), { force: true });
  return true;
}

async function tailOfLog(dataDir: string, lines = 15): Promise<string> {
  try {
    return (await readFile(join(dataDir, LOG_FILE), 'utf8')).split('\n').slice(-lines).join('\n');
  } catch {
    return '(no broker log)';
  }
}

/** Formats KRaft storage once; a formatted folder keeps its cluster id and data across restarts. */
async function formatStorage(libs: string, dataDir: string, propertiesFile: string): Promise<void> {
  if (existsSync(join(dataDir, 'logs', 'meta.properties'))) {
    return;
  }
  // A cluster id starting with '-' reads as an option on the storage tool's command line (1 in 64
  // random ids): Kafka's own Uuid.randomUuid() draws again in that case, and so does this.
  let clusterId = randomBytes(16).toString('base64url');
  while (clusterId.startsWith('-')) {
    clusterId = randomBytes(16).toString('base64url');
  }
  await new Promise<void>((resolve, reject) => {
    const out = openSync(join(dataDir, LOG_FILE), 'a');
    const format = spawn(
      'java',
      [
        '-cp',
        `${libs}/*`,
        `-Dlog4j2.configurationFile=${join(dataDir, 'log4j2.xml')}`,
        'kafka.tools.StorageTool',
        'format',
        '-t',
        clusterId,
        '-c',
        propertiesFile,
      ],
      { stdio: ['ignore', out, out] },
    );
    format.once('error', (error) =>
      reject(new Error(`could not run java (Java 17+ is needed): ${error.message}`)),
    );
    format.once('exit', (code) => {
      closeSync(out);
      if (code === 0) {
        resolve();
      } else {
        void tailOfLog(dataDir).then((tail) => {
          reject(new Error(`Kafka storage format failed with exit code ${String(code)}:\n${tail}`));
        });
      }
    });
  });
}

/**
 * Starts a single-node KRaft Kafka (combined broker and controller) on 127.0.0.1, or reuses one
 * that already answers on the port. The broker runs detached, so it outlives this process until
 * `stop()` (or `npm run kafka:stop`).
 */
export async function startKafkaBroker({
  port = 9092,
  controllerPort = port + 1,
  dataDir = DEFAULT_DATA_DIR,
  cacheDir = DEFAULT_CACHE_DIR,
  version = KAFKA_VERSION,
  startTimeoutMs = DEFAULT_START_TIMEOUT_MS,
  log = () => {},
}: KafkaBrokerOptions = {}): Promise<KafkaBroker> {
  const brokers = `127.0.0.1:${String(port)}`;
  if (await portAnswers(port)) {
    if (await kafkaAnswers(brokers)) {
      log(`Kafka already answers on ${brokers}; reusing it`);
      return { brokers, pid: null, startedByUs: false, stop: async () => {} };
    }
    throw new Error(`port ${String(port)} is taken by something that is not a Kafka broker`);
  }
  const libs = await fetchKafka({ version, cacheDir, log });
  await mkdir(dataDir, { recursive: true });
  const propertiesFile = join(dataDir, 'server.properties');
  await writeFile(propertiesFile, propertiesFor({ port, controllerPort, logDirs: join(dataDir, 'logs') }));
  await writeFile(join(dataDir, 'log4j2.xml'), LOG4J2_CONFIG);
  await formatStorage(libs, dataDir, propertiesFile);

  log(`Starting Apache Kafka ${version} (KRaft) on ${brokers}…`);
  const out = openSync(join(dataDir, LOG_FILE), 'a');
  const child = spawn(
    'java',
    [
      '-Xms256m',
      '-Xmx1g',
      '-XX:+UseG1GC',
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${join(dataDir, 'log4j2.xml')}`,
      '-cp',
      `${libs}/*`,
      'kafka.Kafka',
      propertiesFile,
    ],
    { detached: true, stdio: ['ignore', out, out] },
  );
  closeSync(out);
  const pid = child.pid;
  if (pid === undefined) {
    throw new Error('could not start java (Java 17+ is needed)');
  }
  child.unref();
  await writeFile(join(dataDir, PID_FILE), String(pid));

  const deadline = Date.now() + startTimeoutMs;
  while (!(await kafkaAnswers(brokers, 2_000))) {
    if (!isAlive(pid)) {
      throw new Error(
        `Kafka exited during start-up. Last lines of ${join(dataDir, LOG_FILE)}:\n${await tailOfLog(dataDir)}`,
      );
    }
    if (Date.now() > deadline) {
      await stopKafkaBroker(dataDir);
      throw new Error(
        `Kafka did not answer on ${brokers} within ${String(startTimeoutMs / 1000)} s:\n${await tailOfLog(dataDir)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  log(`Kafka ${version} ready on ${brokers} (pid ${String(pid)})`);
  return { brokers, pid, startedByUs: true, stop: () => stopKafkaBroker(dataDir).then(() => {}) };
}
