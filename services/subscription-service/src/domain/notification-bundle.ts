/**
 * Notification Bundles of the R4 Backport IG: a `history` Bundle whose first entry is the
 * SubscriptionStatus (a Parameters resource, profile `backport-subscription-status-r4`), followed
 * by the focus resources as the payload content allows (`empty`: none; `id-only`: their URLs;
 * `full-resource`: the resources).
 */
import type { Bundle, BundleEntry, Parameters, ParametersParameter, Resource } from '@medplum/fhirtypes';
import type { NotificationType, PayloadContent } from '@oncoimg/fhir-events';
import type { TopicInteraction } from './topics.ts';

export const SUBSCRIPTION_STATUS_PROFILE =
  'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription-status-r4';
export const NOTIFICATION_PROFILE =
  'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription-notification-r4';

export type { NotificationType };
export type SubscriptionStatusCode = 'requested' | 'active' | 'error' | 'off';

export interface StatusSnapshot {
  subscriptionId: string;
  topicUrl: string;
  status: SubscriptionStatusCode;
  /** Events numbered for this subscription so far (the highest event number). */
  eventsSinceStart: number;
  /** Why the last delivery failed, when status is `error`. */
  error?: string;
}

/** One numbered event of a subscription, as stored. */
export interface NumberedEvent {
  eventNumber: number;
  timestamp: string;
  interaction: TopicInteraction;
  resourceType: string;
  resourceId: string;
  resource: Resource | null;
}

export interface NotificationInput {
  snapshot: StatusSnapshot;
  type: NotificationType;
  events: readonly NumberedEvent[];
  payload: PayloadContent;
  /** Where the focus resources live: their `fullUrl` is `{base}/{Type}/{id}`. */
  resourceBase: (resourceType: string) => string;
  /** Base of this server's own FHIR API, for the Subscription's reference. */
  serverBase: string;
  bundleId: string;
  statusEntryId: string;
  now: string;
}

function statusParameters(input: NotificationInput): Parameters {
  const { snapshot, type, events, payload, resourceBase } = input;
  const parameter: ParametersParameter[] = [
    {
      name: 'subscription',
      valueReference: { reference: `${input.serverBase}/Subscription/${snapshot.subscriptionId}` },
    },
    { name: 'topic', valueCanonical: snapshot.topicUrl },
    { name: 'status', valueCode: snapshot.status },
    { name: 'type', valueCode: type },
    { name: 'events-since-subscription-start', valueString: String(snapshot.eventsSinceStart) },
    ...events.map((event): ParametersParameter => ({
      name: 'notification-event',
      part: [
        { name: 'event-number', valueString: String(event.eventNumber) },
        { name: 'timestamp', valueInstant: event.timestamp },
        ...(payload === 'empty'
          ? []
          : [
              {
                name: 'focus',
                valueReference: {
                  reference: `${resourceBase(event.resourceType)}/${event.resourceType}/${event.resourceId}`,
                },
              },
            ]),
      ],
    })),
    ...(snapshot.error ? [{ name: 'error', valueCodeableConcept: { text: snapshot.error } }] : []),
  ];
  return { resourceType: 'Parameters', meta: { profile: [SUBSCRIPTION_STATUS_PROFILE] }, parameter };
}

const REQUEST_OF: Record<TopicInteraction, { method: 'POST' | 'PUT' | 'DELETE'; status: string }> = {
  create: { method: 'POST', status: '201' },
  update: { method: 'PUT', status: '200' },
  delete: { method: 'DELETE', status: '204' },
};

function focusEntry(event: NumberedEvent, payload: PayloadContent, base: string): BundleEntry {
  const { method, status } = REQUEST_OF[event.interaction];
  const url = `${event.resourceType}/${event.resourceId}`;
  return {
    fullUrl: `${base}/${url}`,
    ...(payload === 'full-resource' && event.resource ? { resource: event.resource } : {}),
    request: { method, url: method === 'POST' ? event.resourceType : url },
    response: { status },
  };
}

/** The SubscriptionStatus entry alone: what `$status` answers, in a searchset Bundle. */
export function statusEntry(input: NotificationInput): BundleEntry {
  return {
    fullUrl: `urn:uuid:${input.statusEntryId}`,
    resource: statusParameters(input),
    request: { method: 'GET', url: `Subscription/${input.snapshot.subscriptionId}/$status` },
    response: { status: '200' },
  };
}

/** A notification Bundle (handshake, heartbeat, event-notification or query-event). */
export function notificationBundle(input: NotificationInput): Bundle {
  const focus =
    input.payload === 'empty'
      ? []
      : input.events.map((event) => focusEntry(event, input.payload, input.resourceBase(event.resourceType)));
  return {
    resourceType: 'Bundle',
    id: input.bundleId,
    meta: { profile: [NOTIFICATION_PROFILE] },
    type: 'history',
    timestamp: input.now,
    entry: [statusEntry(input), ...focus],
  };
}

/** `$status`: a searchset Bundle of the subscription's status. */
export function statusBundle(input: NotificationInput): Bundle {
  return {
    resourceType: 'Bundle',
    id: input.bundleId,
    type: 'searchset',
    timestamp: input.now,
    total: 1,
    entry: [{ ...statusEntry(input), search: { mode: 'match' } }],
  };
}
