/**
 * What a subscriber may receive: exactly what its client could read through the APIs. The scopes
 * and patient context of the token that created (or last updated) the Subscription are recorded
 * with it and checked for every event, so a subscription cannot widen a client's access.
 */
import { decide, parseScopes } from '@oncoimg/auth';
import type { TopicEvent } from './topic-event.ts';

export interface SubscriberGrant {
  scopes: readonly string[];
  /** The token's patient context (a patient key), when it had one. */
  patient: string | undefined;
}

/** Whether the subscriber's scopes let it read this event's resource, for this patient. */
export function mayReceive(
  grant: SubscriberGrant,
  event: Pick<TopicEvent, 'resourceType' | 'patientKey'>,
): boolean {
  const decision = decide({ grant: parseScopes(grant.scopes), patient: grant.patient }, event.resourceType, [
    'r',
  ]);
  return decision.allowed && (decision.patient === undefined || decision.patient === event.patientKey);
}
