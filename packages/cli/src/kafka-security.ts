import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { KafkaSettingError, readKafkaSecurity, type KafkaSecurity } from '@oncoimg/kafka';
import { credentialsPath, DEFAULT_DATA_DIR } from '@oncoimg/kafka-local';
import { CliError } from './errors.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** The principal the CLI signs in as on the project's own broker. */
export const TOOLS_PRINCIPAL = 'tools';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

/** The `tools` password of the project's own broker (KAFKA_DATA_DIR, else .data/kafka), if it has one. */
function localToolsCredentials(env: Env): { username: string; password: string } | undefined {
  const dataDir = env.KAFKA_DATA_DIR?.trim() ? resolve(env.KAFKA_DATA_DIR) : DEFAULT_DATA_DIR;
  try {
    const file = JSON.parse(readFileSync(credentialsPath(dataDir), 'utf8')) as {
      principals?: Record<string, { username?: unknown; password?: unknown } | undefined>;
    };
    const tools = file.principals?.[TOOLS_PRINCIPAL];
    return typeof tools?.username === 'string' && typeof tools.password === 'string'
      ? { username: tools.username, password: tools.password }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * How the CLI signs in: the KAFKA_SASL_* / KAFKA_SSL* settings when set; else, on brokers of this
 * machine, the `tools` principal of the project's own broker (its credentials file); else none.
 * The local password is never offered to a broker elsewhere.
 */
export function resolveKafkaSecurity(brokers: readonly string[], env: Env, command?: string): KafkaSecurity {
  let security: KafkaSecurity;
  try {
    security = readKafkaSecurity(env);
  } catch (error) {
    if (error instanceof KafkaSettingError) {
      throw new CliError('USAGE', error.message, { command, cause: error });
    }
    throw error;
  }
  if (security.sasl !== undefined) {
    return security;
  }
  const local = brokers.every((broker) => LOCAL_HOSTS.has(broker.slice(0, broker.lastIndexOf(':'))));
  const tools = local ? localToolsCredentials(env) : undefined;
  return tools ? { ...security, sasl: { mechanism: 'scram-sha-512', ...tools } } : security;
}
