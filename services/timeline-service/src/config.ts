import { resolve } from 'node:path';
import { CONSUMER_SESSION_TIMEOUT_MS, MIN_CONSUMER_SESSION_TIMEOUT_MS } from '@oncoimg/kafka';
import { DEFAULT_BASELINE_WINDOW_DAYS, DEFAULT_CONFIRMATION_DAYS } from './domain/index.ts';
import { readPageSignInConfig } from './web-session/config.ts';
import type { PageSignInSettings } from './web-session/index.ts';
import {
  ConfigError,
  readAccessConfig,
  readCommonConfig,
  readCorsOrigins,
  readInteger,
  readRateLimitConfig,
  type AccessConfig,
  type CommonServiceConfig,
  type RateLimitConfig,
  type Env,
} from '@oncoimg/service-runtime';

export { ConfigError };

/** Settings of the timeline service, read once at start-up by main.ts. */
export interface TimelineConfig extends CommonServiceConfig {
  groupId: string;
  unreportedAfterMs: number;
  /** BASELINE_WINDOW_DAYS: how long before treatment an exam still counts as its baseline. */
  baselineWindowDays: number;
  /** RESPONSE_CONFIRMATION_DAYS: how long after a response it must be confirmed (RECIST 1.1). */
  confirmationDays: number;
  /** KAFKA_SESSION_TIMEOUT_MS: how soon the consumer group gives up on a silent member (see @oncoimg/kafka). */
  sessionTimeoutMs: number;
  /** The built web page; none served when undefined. */
  webRoot: string | undefined;
  /** How the page signs in (OIDC_CLIENT_ID, OIDC_PAGE_SCOPE, PUBLIC_URL, SMART_LAUNCH_ISSUERS; OIDC_ISSUER's provider). */
  pageSignIn: PageSignInSettings;
  /** CORS_ORIGINS: origins whose pages may call the API; none by default. */
  corsOrigins: string[];
  /** RATE_LIMIT_PER_CLIENT_PER_SEC and RATE_LIMIT_BURST. */
  rateLimit: RateLimitConfig;
  /** AUDIT_RETENTION_DAYS: stored AuditEvents older than this are deleted; 0 keeps them all. */
  auditRetentionDays: number;
  /** OIDC_ISSUER, OIDC_AUDIENCE, METRICS_PUBLIC. */
  access: AccessConfig;
}

const CLINICAL_DAYS_RANGE = { min: 1, max: 365 };

/** Reads and checks every setting; throws ConfigError naming the first bad one. */
export function readTimelineConfig(env: Env, cwd: string = process.cwd()): TimelineConfig {
  const unreportedHours = Number(env.UNREPORTED_AFTER_HOURS ?? '24');
  if (!Number.isFinite(unreportedHours) || unreportedHours < 0) {
    throw new ConfigError('UNREPORTED_AFTER_HOURS', 'must be a number of hours ≥ 0');
  }
  const access = readAccessConfig(env);
  const common = readCommonConfig(
    env,
    { port: 8080, serviceName: 'timeline-service', schema: 'timeline_service' },
    cwd,
  );
  return {
    ...common,
    groupId: env.KAFKA_GROUP_ID ?? 'oncoimg-timeline-service',
    unreportedAfterMs: unreportedHours * 3_600_000,
    baselineWindowDays: readInteger(
      env,
      'BASELINE_WINDOW_DAYS',
      DEFAULT_BASELINE_WINDOW_DAYS,
      CLINICAL_DAYS_RANGE,
    ),
    confirmationDays: readInteger(
      env,
      'RESPONSE_CONFIRMATION_DAYS',
      DEFAULT_CONFIRMATION_DAYS,
      CLINICAL_DAYS_RANGE,
    ),
    sessionTimeoutMs: readInteger(env, 'KAFKA_SESSION_TIMEOUT_MS', CONSUMER_SESSION_TIMEOUT_MS, {
      min: MIN_CONSUMER_SESSION_TIMEOUT_MS,
      max: 300_000,
    }),
    webRoot: env.WEB_ROOT ? resolve(cwd, env.WEB_ROOT) : undefined,
    // The page signs in at the provider whose tokens the API accepts.
    pageSignIn: readPageSignInConfig(env, { ...common, issuer: access.issuer }),
    corsOrigins: readCorsOrigins(env),
    access,
    rateLimit: readRateLimitConfig(env),
    auditRetentionDays: readInteger(env, 'AUDIT_RETENTION_DAYS', 0, { min: 0, max: 36_500 }),
  };
}
