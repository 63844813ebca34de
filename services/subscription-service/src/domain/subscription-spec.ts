/**
 * A topic-based Subscription as the R4 Backport IG profiles it (`backport-subscription`):
 * `criteria` is the topic's canonical URL, `_criteria` carries the filter criteria, the channel is
 * a `rest-hook` with its payload content, heartbeat period, timeout and max count as extensions.
 * Parsing checks everything this server relies on and says what is wrong, where.
 */
import { badRequest, OperationOutcomeError } from '@medplum/core';
import type { Extension, Subscription } from '@medplum/fhirtypes';
import {
  BACKPORT_FILTER_CRITERIA_EXTENSION as FILTER_CRITERIA_URL,
  BACKPORT_HEARTBEAT_PERIOD_EXTENSION as HEARTBEAT_PERIOD_URL,
  BACKPORT_MAX_COUNT_EXTENSION as MAX_COUNT_URL,
  BACKPORT_PAYLOAD_CONTENT_EXTENSION as PAYLOAD_CONTENT_URL,
  BACKPORT_TIMEOUT_EXTENSION as TIMEOUT_URL,
  PAYLOAD_CONTENTS,
  type PayloadContent,
} from '@oncoimg/fhir-events';
import { endpointAllowed, type AllowRule } from './endpoint-allow-list.ts';
import { FilterCriteriaError, parseFilterCriteria, type Filters } from './filters.ts';
import { topicByUrl, type TopicDefinition } from './topics.ts';

export { BACKPORT_SUBSCRIPTION_PROFILE } from '@oncoimg/fhir-events';
export { FILTER_CRITERIA_URL, HEARTBEAT_PERIOD_URL, MAX_COUNT_URL, PAYLOAD_CONTENT_URL, TIMEOUT_URL };
export type { PayloadContent };

/** Bounds of the channel settings: a receiver that needs longer than a minute should queue. */
export const DEFAULT_TIMEOUT_SECONDS = 10;
export const MAX_TIMEOUT_SECONDS = 60;
export const DEFAULT_MAX_COUNT = 100;
export const MAX_MAX_COUNT = 1_000;
/** Heartbeats more often than every 10 s would only add load. */
export const MIN_HEARTBEAT_SECONDS = 10;

export interface SubscriptionSpec {
  topic: TopicDefinition;
  filterCriteria: string[];
  filters: Filters;
  endpoint: string;
  /** `Name: value` lines sent with every notification (`channel.header`). */
  headers: string[];
  contentType: 'application/fhir+json';
  payload: PayloadContent;
  heartbeatSeconds: number | null;
  timeoutSeconds: number;
  maxCount: number;
  /** `off` pauses delivery; anything else asks for activation (handshake). */
  requested: 'requested' | 'off';
}

function refuse(text: string, expression: string): never {
  throw new OperationOutcomeError(badRequest(text, expression));
}

function extensionsOf(value: unknown): Extension[] {
  const extension = (value as { extension?: unknown } | undefined)?.extension;
  return Array.isArray(extension) ? (extension as Extension[]) : [];
}

function integerExtension(
  extensions: readonly Extension[],
  url: string,
  key: 'valueUnsignedInt' | 'valuePositiveInt',
  { min, max }: { min: number; max: number },
): number | undefined {
  const found = extensions.find((e) => e.url === url);
  if (!found) {
    return undefined;
  }
  const value = found[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const name = url.slice(url.lastIndexOf('/') + 1);
    refuse(`${name} must be ${key} from ${String(min)} to ${String(max)}`, `Subscription.channel.extension`);
  }
  return value;
}

function parsePayload(channel: Subscription['channel']): PayloadContent {
  if (channel.payload !== undefined && channel.payload !== 'application/fhir+json') {
    refuse('channel.payload must be application/fhir+json', 'Subscription.channel.payload');
  }
  const raw = (channel as { _payload?: unknown })._payload;
  const content = extensionsOf(raw).find((e) => e.url === PAYLOAD_CONTENT_URL)?.valueCode ?? 'id-only';
  if (!(PAYLOAD_CONTENTS as readonly string[]).includes(content)) {
    refuse(`payload content must be one of ${PAYLOAD_CONTENTS.join(', ')}`, 'Subscription.channel.payload');
  }
  return content as PayloadContent;
}

function parseHeaders(channel: Subscription['channel']): string[] {
  const headers = channel.header ?? [];
  for (const header of headers) {
    if (!/^[A-Za-z0-9-]{1,64}:[ ]?[\x20-\x7e]{0,4096}$/.test(header)) {
      refuse('each channel.header must read "Name: value" in printable ASCII', 'Subscription.channel.header');
    }
  }
  return headers;
}

/**
 * Reads a Subscription sent by a client. Throws OperationOutcomeError (400) for an unknown topic or
 * filter, a channel other than rest-hook, an endpoint outside `allowList`, or a bad setting.
 */
export function parseSubscription(body: Subscription, allowList: readonly AllowRule[]): SubscriptionSpec {
  if (typeof body.criteria !== 'string' || body.criteria === '') {
    refuse('criteria must be the canonical URL of a SubscriptionTopic', 'Subscription.criteria');
  }
  const topic = topicByUrl(body.criteria);
  if (!topic) {
    refuse(
      `unknown topic ${JSON.stringify(body.criteria)}; GET /fhir/SubscriptionTopic lists the topics`,
      'Subscription.criteria',
    );
  }
  const criteriaExtensions = extensionsOf((body as { _criteria?: unknown })._criteria);
  const filterCriteria = criteriaExtensions
    .filter((e) => e.url === FILTER_CRITERIA_URL)
    .map((e) => e.valueString)
    .map((value) =>
      typeof value === 'string'
        ? value
        : refuse('filter criteria must be valueString', 'Subscription.criteria'),
    );
  let filters: Filters;
  try {
    filters = parseFilterCriteria(topic, filterCriteria);
  } catch (error) {
    if (error instanceof FilterCriteriaError) {
      refuse(error.message, 'Subscription.criteria');
    }
    throw error;
  }
  const channel = body.channel as Subscription['channel'] | undefined;
  if (channel?.type !== 'rest-hook') {
    refuse(
      'channel.type must be rest-hook (the only channel this server delivers on)',
      'Subscription.channel.type',
    );
  }
  const endpoint = channel.endpoint;
  if (typeof endpoint !== 'string' || !endpointAllowed(endpoint, allowList)) {
    refuse(
      'channel.endpoint is not an allowed address (SUBSCRIPTION_ENDPOINT_ALLOW_LIST of this server)',
      'Subscription.channel.endpoint',
    );
  }
  const channelExtensions = channel.extension ?? [];
  return {
    topic,
    filterCriteria,
    filters,
    endpoint,
    headers: parseHeaders(channel),
    contentType: 'application/fhir+json',
    payload: parsePayload(channel),
    heartbeatSeconds:
      integerExtension(channelExtensions, HEARTBEAT_PERIOD_URL, 'valueUnsignedInt', {
        min: MIN_HEARTBEAT_SECONDS,
        max: 86_400,
      }) ?? null,
    timeoutSeconds:
      integerExtension(channelExtensions, TIMEOUT_URL, 'valueUnsignedInt', {
        min: 1,
        max: MAX_TIMEOUT_SECONDS,
      }) ?? DEFAULT_TIMEOUT_SECONDS,
    maxCount:
      integerExtension(channelExtensions, MAX_COUNT_URL, 'valuePositiveInt', {
        min: 1,
        max: MAX_MAX_COUNT,
      }) ?? DEFAULT_MAX_COUNT,
    requested: body.status === 'off' ? 'off' : 'requested',
  };
}
