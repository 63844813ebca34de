import { describe, expect, it } from 'vitest';
import { selectKafka, selectPostgres } from './select-infrastructure.ts';

describe('choosing Kafka for the tests', () => {
  it('uses KAFKA_BROKERS when set, even with a container runtime', () => {
    expect(selectKafka({ env: { KAFKA_BROKERS: 'k:9092' }, containerRuntime: true })).toEqual({
      kind: 'env',
      brokers: 'k:9092',
    });
  });
  it('uses testcontainers when a container runtime answers and nothing is set', () => {
    expect(selectKafka({ env: {}, containerRuntime: true })).toEqual({ kind: 'testcontainers' });
  });
  it('falls back to the project broker on 9092 without Docker', () => {
    expect(selectKafka({ env: {}, containerRuntime: false })).toEqual({ kind: 'local', port: 9092 });
  });
  it('ignores a blank KAFKA_BROKERS', () => {
    expect(selectKafka({ env: { KAFKA_BROKERS: '  ' }, containerRuntime: false }).kind).toBe('local');
  });
});

describe('choosing PostgreSQL for the tests', () => {
  it('uses DATABASE_URL when set', () => {
    expect(selectPostgres({ env: { DATABASE_URL: 'postgres://x/y' }, containerRuntime: true })).toEqual({
      kind: 'env',
      url: 'postgres://x/y',
    });
  });
  it('uses testcontainers when a container runtime answers', () => {
    expect(selectPostgres({ env: {}, containerRuntime: true })).toEqual({ kind: 'testcontainers' });
  });
  it('runs on PGlite only without a server or Docker', () => {
    expect(selectPostgres({ env: {}, containerRuntime: false })).toEqual({ kind: 'none' });
  });
});
