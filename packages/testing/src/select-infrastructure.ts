/**
 * Which Kafka and PostgreSQL the integration tests use. Pure, so the order of preference is
 * tested without starting anything:
 * Kafka: KAFKA_BROKERS → testcontainers (when a container runtime answers) → the infra/kafka broker.
 * PostgreSQL: DATABASE_URL → testcontainers → none (PGlite only).
 */
export type KafkaChoice =
  { kind: 'env'; brokers: string } | { kind: 'testcontainers' } | { kind: 'local'; port: number };

export type PostgresChoice = { kind: 'env'; url: string } | { kind: 'testcontainers' } | { kind: 'none' };

export interface InfrastructureInputs {
  env: Readonly<Record<string, string | undefined>>;
  /** Whether a Docker-compatible container runtime answered. */
  containerRuntime: boolean;
}

/** The port of the project's own broker in tests: the operating contract's 9092 unless overridden. */
const LOCAL_KAFKA_PORT = 9092;

export function selectKafka({ env, containerRuntime }: InfrastructureInputs): KafkaChoice {
  const brokers = env.KAFKA_BROKERS?.trim();
  if (brokers) {
    return { kind: 'env', brokers };
  }
  if (containerRuntime) {
    return { kind: 'testcontainers' };
  }
  const port = Number(env.KAFKA_PORT ?? LOCAL_KAFKA_PORT);
  return { kind: 'local', port: Number.isInteger(port) && port > 0 ? port : LOCAL_KAFKA_PORT };
}

export function selectPostgres({ env, containerRuntime }: InfrastructureInputs): PostgresChoice {
  const url = env.DATABASE_URL?.trim();
  if (url) {
    return { kind: 'env', url };
  }
  if (containerRuntime) {
    return { kind: 'testcontainers' };
  }
  return { kind: 'none' };
}
