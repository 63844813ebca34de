/**
 * Subscriptions as stored: the resource a client sent (normalised), what was parsed from it, who
 * created it (client, scopes, patient context) and its delivery state.
 */
import type { Subscription } from '@medplum/fhirtypes';
import type { Queryable } from '@oncoimg/store';
import type { Filters } from '../domain/filters.ts';
import type { SubscriptionStatusCode } from '../domain/notification-bundle.ts';
import type { SubscriberGrant } from '../domain/subscriber-access.ts';
import type { PayloadContent, SubscriptionSpec } from '../domain/subscription-spec.ts';

export interface StoredSubscription {
  id: string;
  version: number;
  resource: Subscription;
  topicUrl: string;
  filters: Filters;
  endpoint: string;
  headers: string[];
  payload: PayloadContent;
  heartbeatSeconds: number | null;
  timeoutSeconds: number;
  maxCount: number;
  ownerClient: string | null;
  grant: SubscriberGrant;
  status: SubscriptionStatusCode;
  error: string | null;
  failures: number;
  handshakeDone: boolean;
  eventsSinceStart: number;
  deliveredThrough: number;
  lastSentAt: Date | null;
  updatedAt: Date;
}

interface Row {
  id: string;
  version: number;
  resource: Subscription;
  topic_url: string;
  filters: Filters;
  endpoint: string;
  headers: string[];
  payload: PayloadContent;
  heartbeat_seconds: number | null;
  timeout_seconds: number;
  max_count: number;
  owner_client: string | null;
  scopes: string[];
  patient: string | null;
  status: SubscriptionStatusCode;
  error: string | null;
  failures: number;
  handshake_done: boolean;
  events_since_start: string;
  delivered_through: string;
  last_sent_at: Date | null;
  updated_at: Date;
}

export const SUBSCRIPTION_COLUMNS = `id, version, resource, topic_url, filters, endpoint, headers, payload,
  heartbeat_seconds, timeout_seconds, max_count, owner_client, scopes, patient, status, error, failures,
  handshake_done, events_since_start, delivered_through, last_sent_at, updated_at`;

export function subscriptionOfRow(row: Row): StoredSubscription {
  return {
    id: row.id,
    version: row.version,
    resource: row.resource,
    topicUrl: row.topic_url,
    filters: row.filters,
    endpoint: row.endpoint,
    headers: row.headers,
    payload: row.payload,
    heartbeatSeconds: row.heartbeat_seconds,
    timeoutSeconds: row.timeout_seconds,
    maxCount: row.max_count,
    ownerClient: row.owner_client,
    grant: { scopes: row.scopes, patient: row.patient ?? undefined },
    status: row.status,
    error: row.error,
    failures: row.failures,
    handshakeDone: row.handshake_done,
    eventsSinceStart: Number(row.events_since_start),
    deliveredThrough: Number(row.delivered_through),
    lastSentAt: row.last_sent_at,
    updatedAt: row.updated_at,
  };
}

export type SubscriptionRowType = Row;

/** The Subscription as this server answers it: the client's resource with the current status. */
export function subscriptionResource(stored: StoredSubscription): Subscription {
  const { error: _previousError, ...resource } = stored.resource;
  return {
    ...resource,
    id: stored.id,
    meta: {
      ...resource.meta,
      versionId: String(stored.version),
      lastUpdated: stored.updatedAt.toISOString(),
    },
    status: stored.status,
    ...(stored.status === 'error' && stored.error ? { error: stored.error } : {}),
  };
}

export interface SubscriptionWrite {
  id: string;
  resource: Subscription;
  spec: SubscriptionSpec;
  ownerClient: string | null;
  grant: SubscriberGrant;
}

function specParams(write: SubscriptionWrite): unknown[] {
  const { spec } = write;
  return [
    write.id,
    JSON.stringify(write.resource),
    spec.topic.url,
    JSON.stringify(spec.filters),
    spec.endpoint,
    JSON.stringify(spec.headers),
    spec.payload,
    spec.heartbeatSeconds,
    spec.timeoutSeconds,
    spec.maxCount,
    write.ownerClient,
    JSON.stringify(write.grant.scopes),
    write.grant.patient ?? null,
    spec.requested,
  ];
}

/** Stores a new Subscription, `requested` (a handshake is due now) or `off`. */
export async function insertSubscription(
  db: Queryable,
  write: SubscriptionWrite,
): Promise<StoredSubscription> {
  const { rows } = await db.query<Row>(
    `INSERT INTO subscriptions (id, version, resource, topic_url, filters, endpoint, headers, payload,
       heartbeat_seconds, timeout_seconds, max_count, owner_client, scopes, patient, status, next_attempt_at)
     VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
       CASE WHEN $14 = 'off' THEN NULL ELSE now() END)
     RETURNING ${SUBSCRIPTION_COLUMNS}`,
    specParams(write),
  );
  return subscriptionOfRow(rows[0]);
}

/**
 * Replaces a Subscription's settings. A new endpoint, or leaving `off`, asks for a new handshake;
 * event numbering goes on (a subscriber never sees a number twice).
 */
export async function updateSubscription(
  db: Queryable,
  write: SubscriptionWrite,
): Promise<StoredSubscription | undefined> {
  const { rows } = await db.query<Row>(
    `UPDATE subscriptions SET version = version + 1, resource = $2, topic_url = $3, filters = $4,
       headers = $6, payload = $7, heartbeat_seconds = $8, timeout_seconds = $9, max_count = $10,
       owner_client = $11, scopes = $12, patient = $13,
       handshake_done = handshake_done AND endpoint = $5 AND status <> 'off' AND $14 <> 'off',
       endpoint = $5,
       status = CASE WHEN $14 = 'off' THEN 'off'
                     WHEN status = 'off' OR endpoint <> $5 THEN 'requested' ELSE status END,
       failures = CASE WHEN $14 = 'off' OR status = 'off' OR endpoint <> $5 THEN 0 ELSE failures END,
       next_attempt_at = CASE WHEN $14 = 'off' THEN NULL ELSE now() END,
       updated_at = now()
     WHERE id = $1
     RETURNING ${SUBSCRIPTION_COLUMNS}`,
    specParams(write),
  );
  const row = rows.at(0);
  return row && subscriptionOfRow(row);
}

export async function deleteSubscription(db: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM subscriptions WHERE id = $1', [id]);
  return rowCount > 0;
}

export async function getSubscription(db: Queryable, id: string): Promise<StoredSubscription | undefined> {
  const { rows } = await db.query<Row>(`SELECT ${SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE id = $1`, [
    id,
  ]);
  const row = rows.at(0);
  return row && subscriptionOfRow(row);
}

/** The subscriptions of one client (every one when `ownerClient` is undefined), newest first. */
export async function listSubscriptions(
  db: Queryable,
  { ownerClient, topicUrl, status }: { ownerClient: string | null; topicUrl?: string; status?: string },
): Promise<StoredSubscription[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${SUBSCRIPTION_COLUMNS} FROM subscriptions
     WHERE owner_client IS NOT DISTINCT FROM $1 AND ($2::text IS NULL OR topic_url = $2)
       AND ($3::text IS NULL OR status = $3)
     ORDER BY updated_at DESC LIMIT 1000`,
    [ownerClient, topicUrl ?? null, status ?? null],
  );
  return rows.map(subscriptionOfRow);
}
