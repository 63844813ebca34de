import { DEFAULT_BODY_LIMIT_BYTES } from '@oncoimg/fhir-http';
import { DEFAULT_INTAKE_TOPIC_PARTITIONS } from './intake-topic.ts';
import {
  readAccessConfig,
  readAdmissionConfig,
  readCommonConfig,
  readInteger,
  readRateLimitConfig,
  type AccessConfig,
  type AdmissionConfig,
  type RateLimitConfig,
  type CommonServiceConfig,
  type Env,
} from '@oncoimg/service-runtime';

/** Settings of an intake service, read once by its main.ts. */
export interface IntakeConfig extends CommonServiceConfig {
  bodyLimitBytes: number;
  admission: AdmissionConfig;
  rateLimit: RateLimitConfig;
  /** OIDC_ISSUER, OIDC_AUDIENCE, METRICS_PUBLIC. */
  access: AccessConfig;
  /** INTAKE_TOPIC_PARTITIONS: partitions of the intake topic when the service creates it. */
  topicPartitions: number;
}

/** Reads and checks every setting of an intake service; throws ConfigError naming the first bad one. */
export function readIntakeConfig(
  env: Env,
  defaults: { port: number; serviceName: string; schema: string },
  cwd: string = process.cwd(),
): IntakeConfig {
  return {
    ...readCommonConfig(env, defaults, cwd),
    bodyLimitBytes: readInteger(env, 'BODY_LIMIT_BYTES', DEFAULT_BODY_LIMIT_BYTES, {
      min: 1_024,
      max: 256 * 1_048_576,
    }),
    admission: readAdmissionConfig(env, 'INTAKE'),
    rateLimit: readRateLimitConfig(env),
    access: readAccessConfig(env),
    topicPartitions: readInteger(env, 'INTAKE_TOPIC_PARTITIONS', DEFAULT_INTAKE_TOPIC_PARTITIONS, {
      min: 1,
      max: 1_000,
    }),
  };
}
