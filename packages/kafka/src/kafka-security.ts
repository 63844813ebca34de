import { readFileSync } from 'node:fs';
import type { KafkaConfig } from 'kafkajs';

export type SaslMechanism = 'scram-sha-512' | 'scram-sha-256' | 'plain';

/** How a client proves who it is to the brokers, and whether the connection is TLS. */
export interface KafkaSecurity {
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
  /** TLS: true trusts the system's CAs; `ca` trusts these PEM certificates instead. */
  ssl?: true | { ca: string };
}

/** Where a client connects and as whom: what every factory of this package takes. */
export interface KafkaConnection {
  brokers: string[];
  /** Absent: PLAINTEXT without credentials (a developer's own broker, testcontainers). */
  security?: KafkaSecurity;
}

/** A Kafka security setting that is present but unusable; the message names the variable. */
export class KafkaSettingError extends Error {
  readonly setting: string;
  constructor(setting: string, problem: string) {
    super(`${setting} ${problem}`);
    this.name = 'KafkaSettingError';
    this.setting = setting;
  }
}

const MECHANISMS: Record<string, SaslMechanism> = {
  'SCRAM-SHA-512': 'scram-sha-512',
  'SCRAM-SHA-256': 'scram-sha-256',
  PLAIN: 'plain',
};

type Env = Readonly<Record<string, string | undefined>>;

function setting(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

function readSsl(env: Env, readFile: (path: string) => string): KafkaSecurity['ssl'] {
  const raw = setting(env, 'KAFKA_SSL');
  const caFile = setting(env, 'KAFKA_SSL_CA_FILE');
  if (raw !== undefined && raw !== 'true' && raw !== 'false') {
    throw new KafkaSettingError('KAFKA_SSL', `must be true or false, got ${JSON.stringify(raw)}`);
  }
  if (caFile === undefined) {
    return raw === 'true' ? true : undefined;
  }
  if (raw === 'false') {
    throw new KafkaSettingError('KAFKA_SSL_CA_FILE', 'is set but KAFKA_SSL is false');
  }
  try {
    return { ca: readFile(caFile) };
  } catch (error) {
    throw new KafkaSettingError(
      'KAFKA_SSL_CA_FILE',
      `cannot be read (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

/**
 * KAFKA_SASL_MECHANISM (SCRAM-SHA-512, the default when a user name is set; SCRAM-SHA-256; PLAIN),
 * KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD, KAFKA_SSL (true/false) and KAFKA_SSL_CA_FILE (a PEM
 * file; implies TLS). None set: PLAINTEXT. Read once at start-up.
 */
export function readKafkaSecurity(
  env: Env,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): KafkaSecurity {
  const security: KafkaSecurity = {};
  const ssl = readSsl(env, readFile);
  if (ssl !== undefined) {
    security.ssl = ssl;
  }
  const rawMechanism = setting(env, 'KAFKA_SASL_MECHANISM');
  const username = setting(env, 'KAFKA_SASL_USERNAME');
  const password = env.KAFKA_SASL_PASSWORD;
  if (rawMechanism === undefined && username === undefined && !password) {
    return security;
  }
  const mechanism = MECHANISMS[(rawMechanism ?? 'SCRAM-SHA-512').toUpperCase()] as SaslMechanism | undefined;
  if (mechanism === undefined) {
    throw new KafkaSettingError(
      'KAFKA_SASL_MECHANISM',
      `must be one of ${Object.keys(MECHANISMS).join(', ')}, got ${JSON.stringify(rawMechanism)}`,
    );
  }
  if (username === undefined) {
    throw new KafkaSettingError(
      'KAFKA_SASL_USERNAME',
      'must be set with KAFKA_SASL_MECHANISM or KAFKA_SASL_PASSWORD',
    );
  }
  if (!password) {
    throw new KafkaSettingError('KAFKA_SASL_PASSWORD', `must be set with KAFKA_SASL_USERNAME`);
  }
  security.sasl = { mechanism, username, password };
  return security;
}

/** The settings that give a child process the same credentials (the CA travels as its file only). */
export function kafkaSecurityEnv(security: KafkaSecurity | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  if (security?.sasl) {
    env.KAFKA_SASL_MECHANISM = security.sasl.mechanism.toUpperCase();
    env.KAFKA_SASL_USERNAME = security.sasl.username;
    env.KAFKA_SASL_PASSWORD = security.sasl.password;
  }
  if (security?.ssl === true) {
    env.KAFKA_SSL = 'true';
  }
  return env;
}

/** The part of kafkajs's configuration that `security` decides. */
export function kafkajsSecurity(security: KafkaSecurity | undefined): Pick<KafkaConfig, 'sasl' | 'ssl'> {
  const config: Pick<KafkaConfig, 'sasl' | 'ssl'> = {};
  if (security?.sasl) {
    // Spelled out per mechanism: kafkajs's SASLOptions is a union tagged by the mechanism.
    const { mechanism, username, password } = security.sasl;
    config.sasl =
      mechanism === 'plain'
        ? { mechanism, username, password }
        : mechanism === 'scram-sha-256'
          ? { mechanism, username, password }
          : { mechanism, username, password };
  }
  if (security?.ssl !== undefined) {
    config.ssl = security.ssl === true ? true : { ca: [security.ssl.ca] };
  }
  return config;
}
