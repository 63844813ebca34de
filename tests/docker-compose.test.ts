import { KAFKA_VERSION } from '@oncoimg/kafka-local';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  APP_PORTS,
  APPS,
  compose,
  isPinned,
  read,
  service,
  type ComposeService,
} from './docker-compose.fixtures.ts';

// docker compose cannot run on the project's machines (no container engine), so these checks keep
// docker-compose.yml honest against the operating contract instead. The Dockerfiles it builds are
// checked in docker-compose-images.test.ts, .dockerignore in docker-compose-dockerignore.test.ts.

function env(name: string, variable: string): string {
  const value = service(name).environment?.[variable];
  if (value === undefined) {
    throw new Error(`${name} does not set ${variable}`);
  }
  return String(value);
}

/** Host port → container port of every published port, whatever host address it binds. */
function published(name: string): Map<number, number> {
  const ports = new Map<number, number>();
  for (const spec of service(name).ports ?? []) {
    const parts = spec.split(':');
    ports.set(Number(parts.at(-2)), Number(parts.at(-1)));
  }
  return ports;
}

// ---- compose ------------------------------------------------------------------------------------

describe('docker-compose.yml', () => {
  it('runs Kafka on 127.0.0.1:9092 with the same version as the no-Docker broker, plus a listener for the containers', () => {
    const kafka = service('kafka');
    expect(kafka.image).toBe(`apache/kafka:${KAFKA_VERSION}`);
    expect(published('kafka').get(9092)).toBe(9092);
    expect(env('kafka', 'KAFKA_PROCESS_ROLES')).toBe('broker,controller');
    const advertised = env('kafka', 'KAFKA_ADVERTISED_LISTENERS').split(',');
    expect(advertised).toContain('PLAINTEXT://127.0.0.1:9092');
    const listeners = env('kafka', 'KAFKA_LISTENERS').split(',');
    for (const listener of advertised) {
      const name = listener.split('://')[0];
      const port = listener.split(':').at(-1);
      expect(listeners, listener).toContain(`${name}://:${String(port)}`);
    }
  });

  it('runs PostgreSQL on 5432', () => {
    const postgres = service('postgres');
    expect(postgres.image).toMatch(/^postgres:\d+\.\d+/);
    expect(published('postgres').get(5432)).toBe(5432);
  });

  it('runs every service of the operating contract on its port', () => {
    for (const [name, port] of Object.entries(APP_PORTS)) {
      expect(published(name).get(port), name).toBe(port);
      expect(env(name, 'PORT'), name).toBe(String(port));
      // The services listen on 127.0.0.1 by default, which a published port cannot reach.
      expect(env(name, 'HOST'), name).toBe('0.0.0.0');
    }
  });

  it('points every service at the containers’ Kafka listener and the compose PostgreSQL, each in its own schema', () => {
    const internal = env('kafka', 'KAFKA_ADVERTISED_LISTENERS')
      .split(',')
      .map((listener) => listener.split('://')[1])
      .filter((address) => address.startsWith('kafka:'));
    expect(internal).toHaveLength(1);
    const schemas = new Set<string>();
    for (const name of APPS) {
      expect(env(name, 'KAFKA_BROKERS'), name).toBe(internal[0]);
      const url = new URL(env(name, 'DATABASE_URL'));
      expect(url.protocol, name).toBe('postgres:');
      expect(url.hostname, name).toBe('postgres');
      expect(url.port || '5432', name).toBe('5432');
      expect(decodeURIComponent(url.username), name).toBe(env('postgres', 'POSTGRES_USER'));
      expect(decodeURIComponent(url.password), name).toBe(env('postgres', 'POSTGRES_PASSWORD'));
      expect(url.pathname, name).toBe(`/${env('postgres', 'POSTGRES_DB')}`);
      schemas.add(env(name, 'DATABASE_SCHEMA'));
    }
    expect(schemas.size).toBe(APPS.length);
  });

  it('sends every service’s spans to the collector, which forwards them to Jaeger', () => {
    const collector = parse(read('infra/otel/collector.yaml')) as {
      receivers: { otlp: { protocols: { http: { endpoint: string } } } };
      exporters: Record<string, { endpoint: string }>;
      service: { pipelines: { traces: { receivers: string[]; exporters: string[] } } };
    };
    const receiverPort = collector.receivers.otlp.protocols.http.endpoint.split(':').at(-1);
    for (const name of APPS) {
      expect(env(name, 'OTEL_EXPORTER_OTLP_ENDPOINT'), name).toBe(
        `http://otel-collector:${String(receiverPort)}`,
      );
      expect(env(name, 'OTEL_SERVICE_NAME'), name).toBe(name);
    }
    expect(collector.service.pipelines.traces.receivers).toContain('otlp');
    const targets = collector.service.pipelines.traces.exporters.map((e) => collector.exporters[e].endpoint);
    expect(targets).toContain('jaeger:4317');
    expect(service('jaeger').image).toMatch(/^jaegertracing\/jaeger:2\./);
    expect(published('jaeger').get(16686)).toBe(16686);
  });

  it('starts each service only once what it depends on is healthy', () => {
    for (const name of APPS) {
      const dependsOn = service(name).depends_on ?? {};
      expect(Object.keys(dependsOn), name).toEqual(expect.arrayContaining(['kafka', 'postgres']));
    }
    for (const [name, entry] of Object.entries(compose.services)) {
      for (const [dependency, { condition }] of Object.entries(entry?.depends_on ?? {})) {
        expect(condition, `${name} → ${dependency}`).toBe('service_healthy');
        expect(service(dependency).healthcheck?.test.length, dependency).toBeGreaterThan(0);
      }
    }
  });

  it('checks each service’s readiness on its own port', () => {
    for (const [name, port] of Object.entries(APP_PORTS)) {
      expect(service(name).healthcheck?.test.join(' '), name).toContain(
        `http://127.0.0.1:${String(port)}/readyz`,
      );
    }
  });

  it('runs the embedded authorization server on 8085 and points every service at it', () => {
    expect(published('auth-server').get(8085)).toBe(8085);
    const issuer = env('auth-server', 'ISSUER');
    expect(new URL(issuer).port).toBe(env('auth-server', 'PORT'));
    for (const name of APPS) {
      expect(env(name, 'OIDC_ISSUER'), name).toBe(issuer);
      expect(env(name, 'OIDC_AUDIENCE'), name).toBe(env('auth-server', 'AUDIENCE'));
      expect(Object.keys(service(name).depends_on ?? {}), name).toContain('auth-server');
    }
  });

  it('restarts a service, the broker or the database that exits, unless it was stopped', () => {
    for (const name of [...APPS, 'auth-server', 'kafka', 'postgres']) {
      expect(service(name).restart, name).toBe('unless-stopped');
    }
  });

  it('shows how to run more timeline instances: the same consumer group and schema, no host port', () => {
    const worker = service('timeline-worker') as ComposeService & {
      profiles?: string[];
      deploy?: { replicas?: number };
    };
    expect(worker.ports ?? []).toEqual([]);
    expect(worker.profiles).toEqual(['scale-out']);
    expect(worker.deploy?.replicas).toBeGreaterThan(1);
    for (const variable of ['DATABASE_SCHEMA', 'DATABASE_URL', 'KAFKA_BROKERS', 'PORT']) {
      expect(env('timeline-worker', variable), variable).toBe(env('timeline-service', variable));
    }
    expect(worker.environment?.KAFKA_GROUP_ID).toBe(service('timeline-service').environment?.KAFKA_GROUP_ID);
    expect(env('order-service', 'INTAKE_TOPIC_PARTITIONS')).toBe('12');
  });

  it('pins every image, builds the rest from a Dockerfile, and gives every service a healthcheck', () => {
    for (const [name, entry] of Object.entries(compose.services)) {
      if (entry?.image !== undefined) {
        expect(isPinned(entry.image), `${name}: ${entry.image}`).toBe(true);
      } else {
        expect(entry?.build?.context, name).toBeDefined();
      }
      expect(entry?.healthcheck?.test.length, name).toBeGreaterThan(0);
    }
  });
});
