/**
 * A private Kafka broker for tests that kill the broker: its own ports and data folder, so the
 * shared broker on 127.0.0.1:9092 that every other test uses is never touched.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KafkaSecurity } from '@oncoimg/kafka';
import { runningBrokerPid, startKafkaBroker, stopKafkaBroker } from '@oncoimg/kafka-local';
import { adminSecurity } from '@oncoimg/testing';
import { freePortPair } from './free-port.ts';

/** The shared broker of the test run and of `npm start`. */
const SHARED_BROKER_PORT = 9092;

export interface KafkaInstance {
  /** `127.0.0.1:<port>` */
  readonly brokers: string;
  /** Its super user: the credentials stay the same across restarts (they live in its data folder). */
  readonly security: KafkaSecurity;
  /** SIGKILL: the broker vanishes without closing anything, as in a crash. */
  kill(): Promise<void>;
  /** Starts it again on the same ports and data (its topics and committed offsets survive). */
  start(): Promise<void>;
  /** Stops it if it runs and deletes its data. */
  destroy(): Promise<void>;
}

/** Starts a single-node KRaft broker from the jars `npm run kafka:fetch` cached. */
export async function startKafkaInstance(): Promise<KafkaInstance> {
  const port = await freePortPair();
  if (port === SHARED_BROKER_PORT) {
    throw new Error('refusing to run a private broker on the shared port');
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'oncoimg-kafka-'));
  const log = (line: string): void => {
    process.stderr.write(`private broker: ${line}\n`);
  };
  let pid: number | null = null;
  let security: KafkaSecurity | undefined;
  const start = async (): Promise<void> => {
    const broker = await startKafkaBroker({ port, dataDir, log });
    if (!broker.startedByUs) {
      throw new Error(`another broker already answers on port ${String(port)}`);
    }
    pid = broker.pid;
    security = adminSecurity(broker.credentials);
  };
  await start();
  if (security === undefined) {
    throw new Error('the private broker started without credentials');
  }

  return {
    brokers: `127.0.0.1:${String(port)}`,
    security,
    async kill() {
      if (pid === null) {
        return;
      }
      const target = pid;
      pid = null;
      process.kill(target, 'SIGKILL');
      while ((await runningBrokerPid(dataDir)) === target) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    start,
    async destroy() {
      // Only the broker whose pid file is in our own folder: never anything on the shared port.
      await stopKafkaBroker(dataDir, 5_000).catch(() => false);
      pid = null;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
