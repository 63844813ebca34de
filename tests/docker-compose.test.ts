import { KAFKA_VERSION, kafkaAclsArguments, localGrants, PRINCIPALS } from '@oncoimg/kafka-local';
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
    expect(advertised).toContain('HOST://127.0.0.1:9092');
    const listeners = env('kafka', 'KAFKA_LISTENERS').split(',');
    for (const listener of advertised) {
      const name = listener.split('://')[0];
      const port = listener.split(':').at(-1);
      expect(listeners, listener).toContain(`${name}://:${String(port)}`);
    }
  });

  it('makes every Kafka listener require SASL and authorises with ACLs, denying what none allows', () => {
    const protocols = env('kafka', 'KAFKA_LISTENER_SECURITY_PROTOCOL_MAP')
      .split(',')
      .map((entry) => entry.split(':')[1]);
    expect(new Set(protocols)).toEqual(new Set(['SASL_PLAINTEXT']));
    expect(env('kafka', 'KAFKA_SASL_ENABLED_MECHANISMS')).toBe('SCRAM-SHA-512');
    expect(env('kafka', 'KAFKA_AUTHORIZER_CLASS_NAME')).toBe(
      'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    );
    expect(env('kafka', 'KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND')).toBe('false');
    expect(env('kafka', 'KAFKA_SUPER_USERS')).toBe('User:admin');
  });

  it('signs each service in as its own principal, created with the same ACLs as the no-Docker broker', () => {
    for (const name of APPS) {
      expect(env(name, 'KAFKA_SASL_MECHANISM'), name).toBe('SCRAM-SHA-512');
      expect(env(name, 'KAFKA_SASL_USERNAME'), name).toBe(name);
      const variable = `KAFKA_${name.toUpperCase().replace('-', '_')}_PASSWORD`;
      expect(env(name, 'KAFKA_SASL_PASSWORD'), name).toBe(env('kafka-init', variable));
    }
    const script = read('infra/kafka/compose/kafka-init.sh');
    for (const principal of PRINCIPALS.filter((p) => p !== 'admin')) {
      expect(script, principal).toMatch(new RegExp(`^user ${principal} "\\$KAFKA_[A-Z_]+_PASSWORD"$`, 'm'));
    }
    const acls = script.split('\n').filter((line) => line.startsWith('acl '));
    expect(acls).toEqual(kafkaAclsArguments(localGrants()).map((args) => `acl ${args}`));
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
        // kafka-init is a one-shot job: done, not healthy.
        if (dependency === 'kafka-init') {
          expect(condition, `${name} → ${dependency}`).toBe('service_completed_successfully');
          continue;
        }
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

  it('pins every image, builds the rest from a Dockerfile, and gives every long-running service a healthcheck', () => {
    for (const [name, entry] of Object.entries(compose.services)) {
      if (entry?.image !== undefined) {
        expect(isPinned(entry.image), `${name}: ${entry.image}`).toBe(true);
      } else {
        expect(entry?.build?.context, name).toBeDefined();
      }
      // kafka-init runs once and exits; the services wait for it to complete instead.
      if (name !== 'kafka-init') {
        expect(entry?.healthcheck?.test.length, name).toBeGreaterThan(0);
      }
    }
  });
});
