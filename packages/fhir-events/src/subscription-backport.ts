/**
 * The parts of the Subscriptions R5 Backport IG for FHIR R4 (hl7.fhir.uv.subscriptions-backport)
 * that a subscriber needs: the Subscription it creates (topic in `criteria`, filters, rest-hook,
 * payload content) and the notification Bundles it receives (a `history` Bundle whose first entry
 * is the SubscriptionStatus Parameters). Pure: no I/O; the CLI and the example receiver share it.
 */
import type {
  Bundle,
  Parameters,
  ParametersParameter,
  Reference,
  Resource,
  Subscription,
} from '@medplum/fhirtypes';

const BACKPORT = 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition';
export const BACKPORT_SUBSCRIPTION_PROFILE = `${BACKPORT}/backport-subscription`;
export const BACKPORT_FILTER_CRITERIA_EXTENSION = `${BACKPORT}/backport-filter-criteria`;
export const BACKPORT_PAYLOAD_CONTENT_EXTENSION = `${BACKPORT}/backport-payload-content`;
export const BACKPORT_HEARTBEAT_PERIOD_EXTENSION = `${BACKPORT}/backport-heartbeat-period`;
export const BACKPORT_TIMEOUT_EXTENSION = `${BACKPORT}/backport-timeout`;
export const BACKPORT_MAX_COUNT_EXTENSION = `${BACKPORT}/backport-max-count`;

/** The topics of the subscription service (issue 17), by their short names. */
export const SUBSCRIPTION_TOPIC_BASE = 'https://oncoimg.example.org/fhir/SubscriptionTopic';
export const SUBSCRIPTION_TOPICS = [
  'imaging-order',
  'imaging-study',
  'imaging-report',
  'imaging-response',
] as const;

export const PAYLOAD_CONTENTS = ['empty', 'id-only', 'full-resource'] as const;
export type PayloadContent = (typeof PAYLOAD_CONTENTS)[number];

export const NOTIFICATION_TYPES = [
  'handshake',
  'heartbeat',
  'event-notification',
  'query-status',
  'query-event',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export interface BackportSubscriptionOptions {
  /** The SubscriptionTopic canonical URL, or a short name of `SUBSCRIPTION_TOPICS`. */
  topic: string;
  /** Filter criteria as the IG writes them: `DiagnosticReport?patient=…`. */
  filters?: readonly string[];
  /** The rest-hook endpoint notifications are POSTed to. */
  endpoint: string;
  payload?: PayloadContent;
  heartbeatSeconds?: number;
  timeoutSeconds?: number;
  maxCount?: number;
  reason?: string;
  /** `channel.header`: sent with every notification, e.g. a secret the receiver checks. */
  headers?: readonly string[];
}

/** A short topic name becomes its canonical URL; a URL stays as it is. */
export function topicUrl(topic: string): string {
  return (SUBSCRIPTION_TOPICS as readonly string[]).includes(topic)
    ? `${SUBSCRIPTION_TOPIC_BASE}/${topic}`
    : topic;
}

/** An R4 Subscription with the backport profile, status `requested`, for a rest-hook endpoint. */
export function buildBackportSubscription(options: BackportSubscriptionOptions): Subscription {
  const { filters = [], endpoint, payload = 'id-only', heartbeatSeconds, timeoutSeconds, maxCount } = options;
  const channelExtensions = [
    ...(heartbeatSeconds === undefined
      ? []
      : [{ url: BACKPORT_HEARTBEAT_PERIOD_EXTENSION, valueUnsignedInt: heartbeatSeconds }]),
    ...(timeoutSeconds === undefined
      ? []
      : [{ url: BACKPORT_TIMEOUT_EXTENSION, valueUnsignedInt: timeoutSeconds }]),
    ...(maxCount === undefined ? [] : [{ url: BACKPORT_MAX_COUNT_EXTENSION, valuePositiveInt: maxCount }]),
  ];
  return {
    resourceType: 'Subscription',
    meta: { profile: [BACKPORT_SUBSCRIPTION_PROFILE] },
    status: 'requested',
    reason: options.reason ?? 'oncoimg subscriber',
    criteria: topicUrl(options.topic),
    ...(filters.length
      ? {
          _criteria: {
            extension: filters.map((valueString) => ({
              url: BACKPORT_FILTER_CRITERIA_EXTENSION,
              valueString,
            })),
          },
        }
      : {}),
    channel: {
      ...(channelExtensions.length ? { extension: channelExtensions } : {}),
      type: 'rest-hook',
      endpoint,
      ...(options.headers?.length ? { header: [...options.headers] } : {}),
      payload: 'application/fhir+json',
      _payload: { extension: [{ url: BACKPORT_PAYLOAD_CONTENT_EXTENSION, valueCode: payload }] },
    },
  } as Subscription;
}

/** One event of a notification: its number and, unless the payload is `empty`, its focus. */
export interface NotificationEvent {
  eventNumber: string;
  timestamp: string | null;
  focus: Reference | null;
}

/** What a subscriber reads from a notification Bundle. */
export interface Notification {
  type: NotificationType;
  subscription: string | null;
  topic: string | null;
  status: string | null;
  /** A string in the R4 backport (an int64 does not fit R4's integer). */
  eventsSinceSubscriptionStart: string | null;
  events: NotificationEvent[];
  /** The resources the Bundle carries after the status (a `full-resource` payload). */
  resources: Resource[];
}

/** Why a body is not a backport notification, for the 400 a receiver answers. */
export class NotificationError extends Error {
  override readonly name = 'NotificationError';
}

function part(
  parameters: readonly ParametersParameter[] | undefined,
  name: string,
): ParametersParameter | undefined {
  return parameters?.find((p) => p.name === name);
}

function text(parameter: ParametersParameter | undefined): string | null {
  if (!parameter) {
    return null;
  }
  const value =
    parameter.valueString ??
    parameter.valueCode ??
    parameter.valueCanonical ??
    parameter.valueInstant ??
    parameter.valueUri;
  if (value !== undefined) {
    return value;
  }
  return (
    parameter.valueReference?.reference ??
    (parameter.valueInteger === undefined ? null : String(parameter.valueInteger))
  );
}

/**
 * Reads a notification Bundle: `type: history`, the first entry a `Parameters` SubscriptionStatus
 * with a known `type`. Throws a NotificationError for anything else.
 */
export function readNotification(body: unknown): Notification {
  const bundle = body as Bundle | undefined;
  // R4 has no `subscription-notification` Bundle type: the backport IG uses `history`.
  if (bundle?.resourceType !== 'Bundle' || bundle.type !== 'history') {
    throw new NotificationError('not a notification: expected a Bundle of type history');
  }
  const entries = bundle.entry ?? [];
  const status = entries.at(0)?.resource as Parameters | undefined;
  const rest = entries.slice(1);
  if (status?.resourceType !== 'Parameters') {
    throw new NotificationError(
      'the first entry of a notification must be the SubscriptionStatus Parameters',
    );
  }
  const type = text(part(status.parameter, 'type'));
  if (!(NOTIFICATION_TYPES as readonly (string | null)[]).includes(type)) {
    throw new NotificationError(`unknown notification type ${JSON.stringify(type)}`);
  }
  const events = (status.parameter ?? [])
    .filter((p) => p.name === 'notification-event')
    .map((event) => ({
      eventNumber: text(part(event.part, 'event-number')) ?? '',
      timestamp: text(part(event.part, 'timestamp')),
      focus: part(event.part, 'focus')?.valueReference ?? null,
    }));
  return {
    type: type as NotificationType,
    subscription: text(part(status.parameter, 'subscription')),
    topic: text(part(status.parameter, 'topic')),
    status: text(part(status.parameter, 'status')),
    eventsSinceSubscriptionStart: text(part(status.parameter, 'events-since-subscription-start')),
    events,
    resources: rest.flatMap((entry) => (entry.resource ? [entry.resource] : [])),
  };
}

/** The last path segment of a reference or URL: `DiagnosticReport/r1` of `http://…/fhir/DiagnosticReport/r1`. */
function shortReference(reference: string | null | undefined): string {
  const match = /([A-Za-z]+\/[A-Za-z0-9\-.]+)(\/_history\/[^/]+)?$/.exec(reference ?? '');
  return match?.[1] ?? (reference || '?');
}

/**
 * One line per notification, with resource references but no resource content (a notification
 * may carry patient data): `event-notification #3 DiagnosticReport/r1 (1 resource) Subscription/s1`.
 */
export function formatNotification(notification: Notification): string {
  const subscription = shortReference(notification.subscription);
  const since = notification.eventsSinceSubscriptionStart ?? '?';
  if (notification.type !== 'event-notification' && notification.type !== 'query-event') {
    return `${notification.type} ${subscription} status ${notification.status ?? '?'}, ${since} event(s) since start`;
  }
  const events = notification.events.map(
    (e) => `#${e.eventNumber} ${e.focus ? shortReference(e.focus.reference) : '(empty)'}`,
  );
  const carried = notification.resources.length;
  return `${notification.type} ${events.join(', ') || '(no events)'} (${String(carried)} resource${carried === 1 ? '' : 's'}) ${subscription}`;
}
