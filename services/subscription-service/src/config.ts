import { CONSUMER_SESSION_TIMEOUT_MS, MIN_CONSUMER_SESSION_TIMEOUT_MS } from '@oncoimg/kafka';
import {
  ConfigError,
  readAccessConfig,
  readCommonConfig,
  readInteger,
  type AccessConfig,
  type CommonServiceConfig,
  type Env,
} from '@oncoimg/service-runtime';
import { parseAllowList, type AllowRule } from './domain/endpoint-allow-list.ts';
import type { DeliveryRetrySettings } from './delivery/deliverer.ts';

export { ConfigError };

/** Settings of the subscription service, read once at start-up by main.ts. */
export interface SubscriptionConfig extends CommonServiceConfig {
  groupId: string;
  sessionTimeoutMs: number;
  /** SUBSCRIPTION_ENDPOINT_ALLOW_LIST: origins and host patterns rest-hook endpoints may use. */
  allowList: AllowRule[];
  /** SUBSCRIPTION_MAX_FAILURES, SUBSCRIPTION_RETRY_INITIAL_MS, SUBSCRIPTION_RETRY_MAX_MS. */
  retry: DeliveryRetrySettings;
  /** PUBLIC_URL: this service's address as subscribers reach it (its FHIR base is `{PUBLIC_URL}/fhir`). */
  publicBase: string | undefined;
  /** Where notifications say the resources live: `{TYPE}_FHIR_BASE` settings. */
  resourceBases: Partial<Record<string, string>>;
  access: AccessConfig;
}

/** The FHIR base of each focus resource type, and the setting that overrides it. */
const RESOURCE_BASES = {
  ServiceRequest: ['ORDER_SERVICE_FHIR_BASE', 'http://127.0.0.1:8081/fhir'],
  ImagingStudy: ['STUDY_SERVICE_FHIR_BASE', 'http://127.0.0.1:8082/fhir'],
  DiagnosticReport: ['REPORT_SERVICE_FHIR_BASE', 'http://127.0.0.1:8083/fhir'],
  Observation: ['TIMELINE_SERVICE_FHIR_BASE', 'http://127.0.0.1:8080/fhir'],
} as const;

function readUrl(env: Env, name: string, fallback: string | undefined): string | undefined {
  const value = env[name]?.trim() || fallback;
  if (value !== undefined && (!/^https?:\/\//.test(value) || !URL.canParse(value))) {
    throw new ConfigError(name, `must be an http(s) URL, got ${JSON.stringify(value)}`);
  }
  return value?.replace(/\/+$/, '');
}

/** Reads and checks every setting; throws ConfigError naming the first bad one. */
export function readSubscriptionConfig(env: Env, cwd: string = process.cwd()): SubscriptionConfig {
  const access = readAccessConfig(env);
  const common = readCommonConfig(
    env,
    { port: 8084, serviceName: 'subscription-service', schema: 'subscription_service' },
    cwd,
  );
  let allowList: AllowRule[];
  try {
    allowList = parseAllowList(env.SUBSCRIPTION_ENDPOINT_ALLOW_LIST ?? '');
  } catch (error) {
    throw new ConfigError('SUBSCRIPTION_ENDPOINT_ALLOW_LIST', (error as Error).message);
  }
  const initialMs = readInteger(env, 'SUBSCRIPTION_RETRY_INITIAL_MS', 1_000, { min: 10, max: 3_600_000 });
  const maxMs = readInteger(env, 'SUBSCRIPTION_RETRY_MAX_MS', 300_000, { min: 10, max: 86_400_000 });
  if (maxMs < initialMs) {
    throw new ConfigError(
      'SUBSCRIPTION_RETRY_MAX_MS',
      `must be at least SUBSCRIPTION_RETRY_INITIAL_MS (${String(initialMs)})`,
    );
  }
  const publicUrl = readUrl(env, 'PUBLIC_URL', undefined);
  return {
    ...common,
    groupId: env.KAFKA_GROUP_ID ?? 'oncoimg-subscription-service',
    sessionTimeoutMs: readInteger(env, 'KAFKA_SESSION_TIMEOUT_MS', CONSUMER_SESSION_TIMEOUT_MS, {
      min: MIN_CONSUMER_SESSION_TIMEOUT_MS,
      max: 300_000,
    }),
    allowList,
    retry: {
      maxFailures: readInteger(env, 'SUBSCRIPTION_MAX_FAILURES', 5, { min: 1, max: 1_000 }),
      initialMs,
      maxMs,
    },
    publicBase: publicUrl === undefined ? undefined : `${publicUrl}/fhir`,
    resourceBases: Object.fromEntries(
      Object.entries(RESOURCE_BASES).map(([type, [name, fallback]]) => [
        type,
        readUrl(env, name, fallback) ?? fallback,
      ]),
    ),
    access,
  };
}
