import type { KafkaSecurity } from '@oncoimg/kafka';
import { defineCommand, kafkaTarget, parseOptions, type Env } from '../command.ts';

export interface KafkaConfigOptions {
  brokers: string[];
  security: KafkaSecurity;
  /** KAFKA_SSL_CA_FILE, for `ssl.ca.location`. */
  caFile: string | undefined;
}

const NAME = 'kafka-config';

export function parseKafkaConfigOptions(args: string[], env: Env = {}): KafkaConfigOptions {
  const { values } = parseOptions(NAME, args, {});
  return {
    ...kafkaTarget(values.brokers, env, NAME),
    caFile: env.KAFKA_SSL_CA_FILE?.trim() || undefined,
  };
}

/** librdkafka's names (kcat -F, confluent-kafka, rdkafka bindings); the Java client reads them too, but for sasl.mechanisms. */
export function librdkafkaProperties({ brokers, security, caFile }: KafkaConfigOptions): string[] {
  const tls = security.ssl !== undefined;
  const sasl = security.sasl;
  const protocol = sasl ? (tls ? 'SASL_SSL' : 'SASL_PLAINTEXT') : tls ? 'SSL' : 'PLAINTEXT';
  return [
    `bootstrap.servers=${brokers.join(',')}`,
    `security.protocol=${protocol}`,
    ...(sasl
      ? [
          `sasl.mechanisms=${sasl.mechanism.toUpperCase()}`,
          `sasl.username=${sasl.username}`,
          `sasl.password=${sasl.password}`,
        ]
      : []),
    ...(caFile ? [`ssl.ca.location=${caFile}`] : []),
  ];
}

export const kafkaConfigCommand = defineCommand({
  name: NAME,
  summary: 'print client properties (bootstrap, SASL) for kcat -F and other librdkafka clients',
  usage: NAME,
  description: `Prints librdkafka-style properties: bootstrap.servers, security.protocol and, with
credentials, sasl.mechanisms, sasl.username and sasl.password. The credentials are the
KAFKA_SASL_* settings, or on this machine the 'tools' principal of the local broker (read from
.data/kafka/credentials.json). The output holds a password: write it to a file only you can read,
for example 'umask 077; npm run -s oncoimg -- kafka-config > kafka.properties; kcat -F kafka.properties -L'.`,
  options: '',
  parse: parseKafkaConfigOptions,
  run: async (options, context) => {
    for (const line of librdkafkaProperties(options)) {
      context.out(line);
    }
    return Promise.resolve(0);
  },
});
