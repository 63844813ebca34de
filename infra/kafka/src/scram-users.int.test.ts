import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePortPair } from '@oncoimg/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialsPath, readBrokerCredentials } from './credentials.ts';
import { kafkaAnswers, saslFor, startKafkaBroker, type KafkaBroker } from './kafka-broker.ts';

/** A broker of its own: the shared one is never restarted by tests. */
describe('a principal added after the broker store was formatted', () => {
  let dataDir: string;
  let port: number;
  let broker: KafkaBroker | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'oncoimg-kafka-principals-'));
    port = await freePortPair();
    broker = await startKafkaBroker({ port, controllerPort: port + 1, dataDir });
  }, 120_000);

  afterAll(async () => {
    await broker?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('gets a password in credentials.json and can sign in after the next start', async () => {
    // What an older version left: a credentials file without the principal.
    const file = JSON.parse(await readFile(credentialsPath(dataDir), 'utf8')) as {
      principals: Record<string, unknown>;
    };
    delete file.principals['subscription-service'];
    await writeFile(credentialsPath(dataDir), JSON.stringify(file));

    const again = await startKafkaBroker({ port, controllerPort: port + 1, dataDir });
    const stored = await readBrokerCredentials(dataDir);
    const added = stored?.principals['subscription-service'];
    expect(added?.username).toBe('subscription-service');
    expect(again.credentials.principals['subscription-service']).toEqual(added);
    expect(await kafkaAnswers(again.brokers, 10_000, saslFor(added ?? { username: '', password: '' }))).toBe(
      true,
    );
    // The others kept their passwords, and a wrong one is still refused.
    expect(await kafkaAnswers(again.brokers, 10_000, saslFor(again.credentials.principals.tools))).toBe(true);
    expect(
      await kafkaAnswers(
        again.brokers,
        10_000,
        saslFor({ username: 'subscription-service', password: 'wrong' }),
      ),
    ).toBe(false);
  }, 120_000);
});
