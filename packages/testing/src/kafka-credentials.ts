/**
 * Which credentials the tests use on the Kafka the global set-up chose. Tests create and delete
 * topics and groups of their own names, so they sign in as the broker's super user.
 */
import { resolve } from 'node:path';
import { readKafkaSecurity, type KafkaSecurity } from '@oncoimg/kafka';
import {
  DEFAULT_DATA_DIR,
  kafkaAnswers,
  readBrokerCredentials,
  saslFor,
  type StoredCredentials,
} from '@oncoimg/kafka-local';

type Env = Readonly<Record<string, string | undefined>>;

/** The data folder of the project's own broker: KAFKA_DATA_DIR, else `.data/kafka`. */
export function localKafkaDataDir(env: Env): string {
  return env.KAFKA_DATA_DIR?.trim() ? resolve(env.KAFKA_DATA_DIR) : DEFAULT_DATA_DIR;
}

export function adminSecurity(credentials: StoredCredentials): KafkaSecurity {
  const { username, password } = credentials.principals.admin;
  return { sasl: { mechanism: 'scram-sha-512', username, password } };
}

/**
 * For KAFKA_BROKERS: the KAFKA_SASL_* / KAFKA_SSL* settings when set (a CI's or a user's broker);
 * else the admin of the project's own broker when its credentials sign in there; else none
 * (PLAINTEXT: a developer's own broker).
 */
export async function kafkaSecurityForBrokers(env: Env, brokers: string): Promise<KafkaSecurity | undefined> {
  const fromSettings = readKafkaSecurity(env);
  if (fromSettings.sasl !== undefined || fromSettings.ssl !== undefined) {
    return fromSettings;
  }
  const credentials = await readBrokerCredentials(localKafkaDataDir(env));
  const first = brokers.split(',')[0]?.trim() ?? '';
  if (credentials !== null && (await kafkaAnswers(first, 5_000, saslFor(credentials.principals.admin)))) {
    return adminSecurity(credentials);
  }
  return undefined;
}
