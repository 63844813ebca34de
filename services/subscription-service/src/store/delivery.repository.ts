/**
 * Delivery state: events numbered per subscription, claims of due deliveries (a lease, so two
 * instances never send to one subscription at once), and what a delivery attempt changed.
 */
import type { Resource } from '@medplum/fhirtypes';
import type { Database, Queryable } from '@oncoimg/store';
import type { Filters } from '../domain/filters.ts';
import type { NumberedEvent, SubscriptionStatusCode } from '../domain/notification-bundle.ts';
import type { SubscriberGrant } from '../domain/subscriber-access.ts';
import type { TopicEvent } from '../domain/topic-event.ts';
import type { TopicInteraction } from '../domain/topics.ts';
import {
  SUBSCRIPTION_COLUMNS,
  subscriptionOfRow,
  type StoredSubscription,
  type SubscriptionRowType,
} from './subscription.repository.ts';

/** A subscription as the consumer matches events against it. */
export interface Subscriber {
  id: string;
  topicUrl: string;
  filters: Filters;
  grant: SubscriberGrant;
  /** ms since the epoch. */
  createdAt: number;
}

/** The subscriptions that may receive events of these topics (every status but `off`). */
export async function subscribersOf(tx: Queryable, topicUrls: readonly string[]): Promise<Subscriber[]> {
  const { rows } = await tx.query<{
    id: string;
    topic_url: string;
    filters: Filters;
    scopes: string[];
    patient: string | null;
    created_at: Date;
  }>(
    `SELECT id, topic_url, filters, scopes, patient, created_at FROM subscriptions
     WHERE topic_url = ANY($1::text[]) AND status <> 'off' ORDER BY id`,
    [topicUrls],
  );
  return rows.map((row) => ({
    id: row.id,
    topicUrl: row.topic_url,
    filters: row.filters,
    grant: { scopes: row.scopes, patient: row.patient ?? undefined },
    createdAt: row.created_at.getTime(),
  }));
}

/**
 * Numbers `events` for one subscription after those it has (skipping an event id it already
 * holds: the same event published twice) and stores them; a subscription not in backoff is due
 * at once. Returns how many were added.
 */
export async function appendEvents(
  tx: Queryable,
  subscriptionId: string,
  events: readonly TopicEvent[],
): Promise<number> {
  const { rows: known } = await tx.query<{ event_id: string }>(
    'SELECT event_id FROM subscription_events WHERE subscription_id = $1 AND event_id = ANY($2::text[])',
    [subscriptionId, events.map((event) => event.eventId)],
  );
  const seen = new Set(known.map((row) => row.event_id));
  const fresh = events.filter((event) => !seen.has(event.eventId) && seen.add(event.eventId));
  if (fresh.length === 0) {
    return 0;
  }
  const { rows } = await tx.query<{ events_since_start: string }>(
    `UPDATE subscriptions SET events_since_start = events_since_start + $2,
       next_attempt_at = CASE WHEN failures = 0 OR next_attempt_at IS NULL THEN now() ELSE next_attempt_at END
     WHERE id = $1 RETURNING events_since_start`,
    [subscriptionId, fresh.length],
  );
  const last = Number(rows[0]?.events_since_start ?? fresh.length);
  await tx.query(
    `INSERT INTO subscription_events (subscription_id, event_number, event_id, interaction, resource_type,
       resource_id, resource, occurred_at, traceparent)
     SELECT $1, (e->>'n')::bigint, e->>'eventId', e->>'interaction', e->>'resourceType', e->>'resourceId',
       e->'resource', e->>'timestamp', e->>'traceparent'
     FROM jsonb_array_elements($2::jsonb) AS e`,
    [
      subscriptionId,
      JSON.stringify(
        fresh.map((event, index) => ({
          ...event,
          n: last - fresh.length + 1 + index,
          resource: event.resource,
        })),
      ),
    ],
  );
  return fresh.length;
}

export interface StoredEvent extends NumberedEvent {
  traceparent: string | null;
}

/** Events of a subscription with numbers in (after, through], oldest first, at most `limit`. */
export async function readEvents(
  db: Queryable,
  subscriptionId: string,
  { after, through, limit }: { after: number; through?: number; limit: number },
): Promise<StoredEvent[]> {
  const { rows } = await db.query<{
    event_number: string;
    interaction: TopicInteraction;
    resource_type: string;
    resource_id: string;
    resource: Resource | null;
    occurred_at: string;
    traceparent: string | null;
  }>(
    `SELECT event_number, interaction, resource_type, resource_id, resource, occurred_at, traceparent
     FROM subscription_events WHERE subscription_id = $1 AND event_number > $2
       AND ($3::bigint IS NULL OR event_number <= $3)
     ORDER BY event_number LIMIT $4`,
    [subscriptionId, after, through ?? null, limit],
  );
  return rows.map((row) => ({
    eventNumber: Number(row.event_number),
    interaction: row.interaction,
    resourceType: row.resource_type,
    resourceId: row.resource_id,
    resource: row.resource,
    timestamp: row.occurred_at,
    traceparent: row.traceparent,
  }));
}

/**
 * Claims up to `limit` subscriptions whose next attempt is due, for `leaseMs`: another instance
 * (or a later tick) skips them until the lease ends, which a crash mid-delivery lets happen.
 */
export async function claimDue(db: Database, limit: number, leaseMs: number): Promise<StoredSubscription[]> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<SubscriptionRowType>(
      `UPDATE subscriptions SET lease_until = now() + ($2::integer * interval '1 millisecond')
       WHERE id IN (
         SELECT id FROM subscriptions
         WHERE next_attempt_at <= now() AND status <> 'off' AND (lease_until IS NULL OR lease_until < now())
         ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING ${SUBSCRIPTION_COLUMNS}`,
      [limit, leaseMs],
    );
    return rows.map(subscriptionOfRow);
  });
}

/**
 * A delivered notification. The next attempt is decided from the row as it is now: events the
 * consumer added meanwhile make it due at once; else the next heartbeat, else nothing.
 */
export async function recordSuccess(
  db: Queryable,
  id: string,
  { handshake, deliveredThrough }: { handshake: boolean; deliveredThrough: number },
): Promise<void> {
  await db.query(
    `UPDATE subscriptions SET status = CASE WHEN status = 'off' THEN 'off' ELSE 'active' END,
       failures = 0, error = NULL, lease_until = NULL, last_sent_at = now(),
       handshake_done = handshake_done OR $2,
       delivered_through = GREATEST(delivered_through, $3),
       next_attempt_at = CASE
         WHEN status = 'off' THEN NULL
         WHEN events_since_start > GREATEST(delivered_through, $3) THEN now()
         WHEN heartbeat_seconds IS NOT NULL THEN now() + heartbeat_seconds * interval '1 second'
         ELSE NULL END
     WHERE id = $1`,
    [id, handshake, deliveredThrough],
  );
}

export async function recordFailure(
  db: Queryable,
  id: string,
  {
    status,
    failures,
    retryInMs,
    error,
  }: { status: SubscriptionStatusCode; failures: number; retryInMs: number; error: string },
): Promise<void> {
  await db.query(
    `UPDATE subscriptions SET status = CASE WHEN status = 'off' THEN 'off' ELSE $2 END, failures = $3,
       error = $5, lease_until = NULL,
       next_attempt_at = CASE WHEN status = 'off' THEN NULL
                              ELSE now() + ($4::integer * interval '1 millisecond') END
     WHERE id = $1`,
    [id, status, failures, retryInMs, error],
  );
}

/** Events numbered but not yet acknowledged, over every subscription that is not `off`. */
export async function deliveryBacklog(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ backlog: string | null }>(
    `SELECT sum(events_since_start - delivered_through) AS backlog FROM subscriptions WHERE status <> 'off'`,
  );
  return Number(rows[0]?.backlog ?? 0);
}

/** A claimed subscription that was owed nothing after all: the lease ends, the next attempt is recomputed. */
export async function releaseIdle(db: Queryable, id: string): Promise<void> {
  await db.query(
    `UPDATE subscriptions SET lease_until = NULL,
       next_attempt_at = CASE
         WHEN status = 'off' THEN NULL
         WHEN events_since_start > delivered_through THEN now()
         WHEN heartbeat_seconds IS NOT NULL
           THEN coalesce(last_sent_at, now()) + heartbeat_seconds * interval '1 second'
         ELSE NULL END
     WHERE id = $1`,
    [id],
  );
}
