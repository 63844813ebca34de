import type { Migration } from '@oncoimg/store';

/**
 * The subscription store. `subscriptions` holds each Subscription with its delivery state (event
 * counter, acknowledged number, failures, next attempt); `subscription_events` every event
 * numbered for a subscription, kept after delivery so `$events` can replay it. Events are written
 * in the transaction that stores the consumed Kafka offsets (`consumer_offsets`), so a restart
 * neither loses nor repeats one.
 */
export const subscriptionMigrations: readonly Migration[] = [
  {
    id: 'subscription.001-create',
    sql: `
      CREATE TABLE subscriptions (
        id text PRIMARY KEY,
        version integer NOT NULL,
        resource jsonb NOT NULL,
        topic_url text NOT NULL,
        filters jsonb NOT NULL,
        endpoint text NOT NULL,
        headers jsonb NOT NULL,
        payload text NOT NULL,
        heartbeat_seconds integer,
        timeout_seconds integer NOT NULL,
        max_count integer NOT NULL,
        owner_client text,
        scopes jsonb NOT NULL,
        patient text,
        status text NOT NULL,
        error text,
        failures integer NOT NULL DEFAULT 0,
        handshake_done boolean NOT NULL DEFAULT false,
        events_since_start bigint NOT NULL DEFAULT 0,
        delivered_through bigint NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        lease_until timestamptz,
        last_sent_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX subscriptions_topic ON subscriptions (topic_url) WHERE status <> 'off';
      CREATE INDEX subscriptions_due ON subscriptions (next_attempt_at) WHERE next_attempt_at IS NOT NULL;

      CREATE TABLE subscription_events (
        subscription_id text NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
        event_number bigint NOT NULL,
        event_id text NOT NULL,
        interaction text NOT NULL,
        resource_type text NOT NULL,
        resource_id text NOT NULL,
        resource jsonb,
        occurred_at text NOT NULL,
        traceparent text,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (subscription_id, event_number),
        UNIQUE (subscription_id, event_id)
      );
    `,
  },
];
