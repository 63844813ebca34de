import { resolve } from 'node:path';
import type { TopicNames } from '@oncoimg/fhir-events';
import {
  DEFAULT_MAX_EVENT_LOOP_DELAY_MS,
  DEFAULT_MAX_IN_FLIGHT,
  DEFAULT_REQUEST_TIMEOUT_MS,
} from './admission-control.ts';
import { DEFAULT_RATE_LIMIT_BURST, DEFAULT_RATE_LIMIT_PER_SECOND } from './rate-limit.ts';

/** A setting that is present but unusable; the message names the variable. */
export class ConfigError extends Error {
  readonly setting: string;
  constructor(setting: string, problem: string) {
    super(`${setting} ${problem}`);
    this.name = 'ConfigError';
    this.setting = setting;
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

/** An integer setting within bounds, or the fallback when unset. */
export function readInteger(
  env: Env,
  name: string,
  fallback: number,
  { min, max }: { min: number; max: number },
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(
      name,
      `must be an integer from ${String(min)} to ${String(max)}, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

/** KAFKA_BROKERS: comma-separated host:port, default the local broker of the operating contract. */
export function readBrokers(env: Env): string[] {
  const raw = env.KAFKA_BROKERS ?? '127.0.0.1:9092';
  const brokers = raw
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (brokers.length === 0 || brokers.some((b) => !/^[^\s:]+:\d{1,5}$/.test(b))) {
    throw new ConfigError(
      'KAFKA_BROKERS',
      `must be a comma-separated list of host:port, got ${JSON.stringify(raw)}`,
    );
  }
  return brokers;
}

/** A lower-case SQL identifier setting (a schema name). */
export function readIdentifier(env: Env, name: string, fallback: string): string {
  const value = env[name] ?? fallback;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(value)) {
    throw new ConfigError(name, `must be a lower-case SQL identifier, got ${JSON.stringify(value)}`);
  }
  return value;
}

const TOPIC_SETTINGS = {
  TOPIC_SERVICEREQUEST: 'serviceRequest',
  TOPIC_IMAGINGSTUDY: 'imagingStudy',
  TOPIC_DIAGNOSTICREPORT: 'diagnosticReport',
  TOPIC_TIMELINE: 'timeline',
  TOPIC_AUDIT: 'audit',
} as const;

/** TOPIC_* overrides of the default topic names. */
export function readTopicOverrides(env: Env): Partial<TopicNames> {
  const topics: Partial<TopicNames> = {};
  for (const [name, role] of Object.entries(TOPIC_SETTINGS)) {
    const value = env[name];
    if (value === undefined || value === '') {
      continue;
    }
    if (!/^[a-zA-Z0-9._-]{1,249}$/.test(value)) {
      throw new ConfigError(name, 'is not a legal Kafka topic name');
    }
    topics[role] = value;
  }
  return topics;
}

/** The settings every service shares: where it listens, Kafka, and its database. */
export interface CommonServiceConfig {
  port: number;
  host: string;
  brokers: string[];
  /** A PostgreSQL server; PGlite in `dataDir` when undefined. */
  databaseUrl: string | undefined;
  dataDir: string;
  schema: string;
  topics: Partial<TopicNames>;
  logLevel: string;
}

export function readCommonConfig(
  env: Env,
  defaults: { port: number; serviceName: string; schema: string },
  cwd: string = process.cwd(),
): CommonServiceConfig {
  return {
    port: readInteger(env, 'PORT', defaults.port, { min: 0, max: 65_535 }),
    host: env.HOST ?? '127.0.0.1',
    brokers: readBrokers(env),
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: resolve(cwd, env.DATA_DIR ?? `.data/${defaults.serviceName}`),
    schema: readIdentifier(env, 'DATABASE_SCHEMA', defaults.schema),
    topics: readTopicOverrides(env),
    logLevel: env.LOG_LEVEL ?? 'info',
  };
}

/** Admission control settings (createAdmissionControl), read by a service that takes requests. */
export interface AdmissionConfig {
  maxInFlight: number;
  maxQueued: number;
  requestTimeoutMs: number;
  maxEventLoopDelayMs: number;
}

/**
 * `<prefix>_MAX_IN_FLIGHT` (default 64), `<prefix>_MAX_QUEUED` (default the same),
 * `REQUEST_TIMEOUT_MS` (default 30 s) and `MAX_EVENT_LOOP_DELAY_MS` (default 2 s).
 */
export function readAdmissionConfig(env: Env, prefix: string): AdmissionConfig {
  const maxInFlight = readInteger(env, `${prefix}_MAX_IN_FLIGHT`, DEFAULT_MAX_IN_FLIGHT, {
    min: 1,
    max: 10_000,
  });
  return {
    maxInFlight,
    maxQueued: readInteger(env, `${prefix}_MAX_QUEUED`, maxInFlight, { min: 0, max: 10_000 }),
    requestTimeoutMs: readInteger(env, 'REQUEST_TIMEOUT_MS', DEFAULT_REQUEST_TIMEOUT_MS, {
      min: 100,
      max: 600_000,
    }),
    maxEventLoopDelayMs: readInteger(env, 'MAX_EVENT_LOOP_DELAY_MS', DEFAULT_MAX_EVENT_LOOP_DELAY_MS, {
      min: 100,
      max: 600_000,
    }),
  };
}

/** The per-client rate limit (rateLimitMiddleware) of a token-authenticated API. */
export interface RateLimitConfig {
  perSecond: number;
  burst: number;
}

/**
 * `RATE_LIMIT_PER_CLIENT_PER_SEC` (default 200; 0 switches the limit off) and
 * `RATE_LIMIT_BURST` (default 1000): requests per OAuth client id.
 */
export function readRateLimitConfig(env: Env): RateLimitConfig {
  return {
    perSecond: readInteger(env, 'RATE_LIMIT_PER_CLIENT_PER_SEC', DEFAULT_RATE_LIMIT_PER_SECOND, {
      min: 0,
      max: 1_000_000,
    }),
    burst: readInteger(env, 'RATE_LIMIT_BURST', DEFAULT_RATE_LIMIT_BURST, { min: 1, max: 1_000_000 }),
  };
}
