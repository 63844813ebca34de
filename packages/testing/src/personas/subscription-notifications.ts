import type { Bundle, ParametersParameter, Resource } from '@medplum/fhirtypes';

export interface NotificationBundleOptions {
  type: 'handshake' | 'heartbeat' | 'event-notification';
  subscription?: string;
  topic?: string;
  eventsSinceSubscriptionStart?: string;
  /** One per event: its number and focus. */
  events?: readonly { eventNumber: string; focus: string }[];
  /** Carried after the status (a `full-resource` payload). */
  resources?: readonly Resource[];
}

/**
 * A notification Bundle as the R4 Subscriptions Backport IG shows it: `history`, the
 * SubscriptionStatus Parameters first, then the resources. What a rest-hook receiver is sent.
 */
export function notificationBundle(options: NotificationBundleOptions): Bundle {
  const {
    type,
    subscription = 'http://127.0.0.1:8084/fhir/Subscription/s1',
    topic = 'https://oncoimg.example.org/fhir/SubscriptionTopic/imaging-report',
    eventsSinceSubscriptionStart = String(options.events?.length ?? 0),
    events = [],
    resources = [],
  } = options;
  const parameter: ParametersParameter[] = [
    { name: 'subscription', valueReference: { reference: subscription } },
    { name: 'topic', valueCanonical: topic },
    { name: 'status', valueCode: type === 'handshake' ? 'requested' : 'active' },
    { name: 'type', valueCode: type },
    { name: 'events-since-subscription-start', valueString: eventsSinceSubscriptionStart },
    ...events.map(({ eventNumber, focus }) => ({
      name: 'notification-event',
      part: [
        { name: 'event-number', valueString: eventNumber },
        { name: 'timestamp', valueInstant: '2024-05-02T10:00:00Z' },
        { name: 'focus', valueReference: { reference: focus } },
      ],
    })),
  ];
  return {
    resourceType: 'Bundle',
    type: 'history',
    timestamp: '2024-05-02T10:00:01Z',
    entry: [
      {
        fullUrl: 'urn:uuid:9e41ff6d-5be6-4e6a-8b85-abd4e7f58400',
        resource: {
          resourceType: 'Parameters',
          meta: {
            profile: [
              'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription-status-r4',
            ],
          },
          parameter,
        },
      },
      ...resources.map((resource) => ({
        fullUrl: `${resource.resourceType}/${resource.id ?? ''}`,
        resource,
      })),
    ],
  };
}
