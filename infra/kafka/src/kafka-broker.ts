import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { applyLocalAcls } from './acls.ts';
import {
  completeCredentials,
  readBrokerCredentials,
  writeBrokerCredentials,
  type BrokerCredentials,
  type PrincipalCredentials,
} from './credentials.ts';
import { fetchKafka } from './fetch-kafka.ts';
import { KAFKA_VERSION } from './kafka-version.ts';
import { DEFAULT_CACHE_DIR, DEFAULT_DATA_DIR } from './paths.ts';
import { ensureScramUsers } from './scram-users.ts';
import { LOG_FILE, prepareStorage, tailOfLog } from './storage.ts';

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
  /** Every principal's SCRAM credentials (the data folder's credentials.json). */
  credentials: BrokerCredentials;
  stop(): Promise<void>;
}

/** A cold JVM formats, elects itself controller and loads the group coordinator in ~10 s here. */
const DEFAULT_START_TIMEOUT_MS = 90_000;
/** Kafka flushes logs and closes its storage on SIGTERM; a loaded broker may take a while. */
const STOP_GRACE_MS = 30_000;

const PID_FILE = 'broker.pid';

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

/** kafkajs's SASL options for one principal of the local broker. */
export function saslFor({ username, password }: PrincipalCredentials): SASLOptions {
  return { mechanism: 'scram-sha-512', username, password };
}

function adminClient(brokers: string, timeoutMs: number, sasl: SASLOptions | undefined): Kafka {
  return new Kafka({
    clientId: 'kafka-local-probe',
    brokers: [brokers],
    ...(sasl ? { sasl } : {}),
    logLevel: logLevel.NOTHING,
    connectionTimeout: timeoutMs,
    authenticationTimeout: timeoutMs,
    retry: { retries: 0 },
  });
}

/** True when a Kafka broker answers a metadata request on `brokers` (as `sasl`'s principal, if given). */
export async function kafkaAnswers(brokers: string, timeoutMs = 5_000, sasl?: SASLOptions): Promise<boolean> {
  const admin = adminClient(brokers, timeoutMs, sasl).admin();
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

async function grantAcls(brokers: string, sasl: SASLOptions, log: (line: string) => void) {
  const admin = adminClient(brokers, 10_000, sasl).admin();
  try {
    await admin.connect();
    log(`Kafka ACLs: ${String(await applyLocalAcls(admin))} granted`);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** Creates on the broker the principals of `credentials` that cannot sign in yet (see scram-users.ts). */
function ensurePrincipals(
  brokers: string,
  credentials: BrokerCredentials,
  libs: () => Promise<string>,
  log: (line: string) => void,
): Promise<unknown> {
  return ensureScramUsers({
    brokers,
    credentials,
    signsIn: (principal) => kafkaAnswers(brokers, 5_000, saslFor(credentials.principals[principal])),
    libs,
    log,
  });
}

/**
 * A broker already answers on the port. It is reused when this data folder's admin can sign in
 * (the ACLs are granted again, in case this version added some). Anything else is left running and
 * refused, with what to do: a broker without SASL may be serving other checkouts or test runs, so
 * even an older broker of this data folder is not restarted behind their backs.
 */
async function reuseRunningBroker({
  brokers,
  dataDir,
  libs,
  log,
}: {
  brokers: string;
  dataDir: string;
  libs: () => Promise<string>;
  log: (line: string) => void;
}): Promise<KafkaBroker> {
  const stored = await readBrokerCredentials(dataDir);
  if (stored !== null && (await kafkaAnswers(brokers, 5_000, saslFor(stored.principals.admin)))) {
    log(`Kafka already answers on ${brokers}; reusing it`);
    const { credentials, added } = completeCredentials(stored);
    if (added.length > 0) {
      await writeBrokerCredentials(dataDir, credentials);
    }
    await ensurePrincipals(brokers, credentials, libs, log);
    await grantAcls(brokers, saslFor(credentials.principals.admin), log);
    return { brokers, pid: null, startedByUs: false, credentials, stop: async () => {} };
  }
  if (await kafkaAnswers(brokers)) {
    const ours = (await runningBrokerPid(dataDir)) !== null;
    throw new Error(
      ours
        ? `the broker on ${brokers} was started from ${dataDir} by an older version, without SASL; stop it (npm run kafka:stop) and start again`
        : `a Kafka broker without SASL answers on ${brokers} and was not started from ${dataDir}; stop it, choose another KAFKA_PORT, or point KAFKA_BROKERS at it`,
    );
  }
  throw new Error(
    `${brokers} is taken by something that is neither a Kafka broker nor one this data folder's admin can sign in to`,
  );
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
    return reuseRunningBroker({ brokers, dataDir, libs: () => fetchKafka({ version, cacheDir, log }), log });
  }
  const libs = await fetchKafka({ version, cacheDir, log });
  const { credentials, propertiesFile } = await prepareStorage({ libs, dataDir, port, controllerPort, log });
  const admin = saslFor(credentials.principals.admin);

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
  while (!(await kafkaAnswers(brokers, 2_000, admin))) {
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
  await ensurePrincipals(brokers, credentials, () => Promise.resolve(libs), log);
  await grantAcls(brokers, admin, log);
  log(`Kafka ${version} ready on ${brokers} (pid ${String(pid)}), SASL/SCRAM-SHA-512 with ACLs`);
  return {
    brokers,
    pid,
    startedByUs: true,
    credentials,
    stop: () => stopKafkaBroker(dataDir).then(() => {}),
  };
}
