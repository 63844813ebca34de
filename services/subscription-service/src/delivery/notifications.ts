import { randomUUID } from 'node:crypto';
import type { Bundle } from '@medplum/fhirtypes';
import {
  notificationBundle,
  statusBundle,
  type NotificationType,
  type NumberedEvent,
  type SubscriptionStatusCode,
} from '../domain/notification-bundle.ts';
import type { StoredSubscription } from '../store/subscription.repository.ts';

/** Where resources and this server live, for the URLs inside notifications. */
export interface NotificationUrls {
  /** This service's FHIR base (`http://host:8084/fhir`). */
  serverBase: string;
  /** The FHIR base serving a resource type (the intake services; the timeline for Observations). */
  resourceBase: (resourceType: string) => string;
}

export interface BundleRequest {
  subscription: StoredSubscription;
  type: NotificationType;
  events: readonly NumberedEvent[];
  /** The status to report; the subscription's own by default. */
  status?: SubscriptionStatusCode;
  urls: NotificationUrls;
}

function inputOf({ subscription, type, events, status, urls }: BundleRequest) {
  return {
    snapshot: {
      subscriptionId: subscription.id,
      topicUrl: subscription.topicUrl,
      status: status ?? subscription.status,
      eventsSinceStart: subscription.eventsSinceStart,
      ...(subscription.status === 'error' && subscription.error ? { error: subscription.error } : {}),
    },
    type,
    events,
    payload: subscription.payload,
    resourceBase: urls.resourceBase,
    serverBase: urls.serverBase,
    bundleId: randomUUID(),
    statusEntryId: randomUUID(),
    now: new Date().toISOString(),
  };
}

/** A notification Bundle for this subscription (handshake, heartbeat, event-notification, query-event). */
export function buildNotification(request: BundleRequest): Bundle {
  return notificationBundle(inputOf(request));
}

/** `$status`'s answer for this subscription. */
export function buildStatus(request: Omit<BundleRequest, 'type' | 'events'>): Bundle {
  return statusBundle(inputOf({ ...request, type: 'query-status', events: [] }));
}
