import type { Migration } from '../migrate.ts';

/**
 * The outbox table: messages written in the same transaction as the data they describe, published
 * to Kafka by the relay afterwards. A message is either text (FHIR JSON, readable with psql) or
 * bytes, never both.
 */
export const outboxMigrations: readonly Migration[] = [
  {
    id: 'store.outbox.001-create',
    sql: `
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        topic text NOT NULL,
        message_key text NOT NULL,
        value text,
        value_bytes bytea,
        headers jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        CONSTRAINT outbox_one_value CHECK ((value IS NULL) <> (value_bytes IS NULL))
      );
      -- The relay reads only pending rows, oldest first: a partial index as small as the backlog.
      CREATE INDEX outbox_pending ON outbox (id) WHERE sent_at IS NULL;
      -- Retention deletes sent rows by age.
      CREATE INDEX outbox_sent_at ON outbox (sent_at) WHERE sent_at IS NOT NULL;
    `,
  },
  {
    id: 'store.outbox.002-dead-letters',
    sql: `
      -- Rows the broker can never accept (too large even alone, refused as invalid), moved here by
      -- the relay with the reason, so that the rows behind them are published. Kept until an
      -- operator has looked at them: they are acknowledged writes whose event never went out.
      CREATE TABLE outbox_dead_letters (
        id bigint PRIMARY KEY,
        topic text NOT NULL,
        message_key text NOT NULL,
        value text,
        value_bytes bytea,
        headers jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        attempts integer NOT NULL,
        reason text NOT NULL,
        dead_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
];
