import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KAFKA_VERSION } from '@oncoimg/kafka-local';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface ComposeService {
  image?: string;
  ports?: string[];
  environment?: Record<string, string | number>;
  healthcheck?: { test: string[] };
}

const compose = parse(readFileSync(join(import.meta.dirname, '..', 'docker-compose.yml'), 'utf8')) as {
  services: Partial<Record<string, ComposeService>>;
};

// docker compose cannot run on the project's machines, so this keeps the file honest instead.
describe('docker-compose.yml', () => {
  it('runs Kafka on 9092 with the same version as the no-Docker broker', () => {
    const kafka = compose.services.kafka;
    expect(kafka?.image).toBe(`apache/kafka:${KAFKA_VERSION}`);
    expect(kafka?.ports).toContain('9092:9092');
    expect(kafka?.environment?.KAFKA_PROCESS_ROLES).toBe('broker,controller');
  });

  it('runs PostgreSQL on 5432', () => {
    const postgres = compose.services.postgres;
    expect(postgres?.image).toMatch(/^postgres:\d+\.\d+/);
    expect(postgres?.ports).toContain('5432:5432');
  });

  it('pins every image and gives every service a healthcheck', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (service?.image) expect(service.image, name).toMatch(/:[0-9][^:]*$/);
      expect(service?.healthcheck?.test.length, name).toBeGreaterThan(0);
    }
  });
});
