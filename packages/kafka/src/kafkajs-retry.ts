import type { RetryOptions } from 'kafkajs';

/**
 * kafkajs's own retries of the consumer (connecting, joining, fetching, committing). Its defaults
 * double from 300 ms up to 30 s, and after the last retry it restarts the consumer only after the
 * last wait again: a consumer resumed up to 31 s after the broker was back. Capped at 1 s, the
 * consumer tries the broker every second while it is away and resumes within about a second of
 * its return. Ten retries (about 8 s) before a restart keep the restarts, each logged, rare
 * during a long outage; a restart costs a rejoin, not data.
 */
export const CONSUMER_RETRY: RetryOptions = { initialRetryTime: 250, maxRetryTime: 1_000, retries: 10 };

/**
 * The producer's retries of one send. The outbox keeps the rows of a failed send and tries again
 * with its own backoff, so a send need not outlast an outage: about 6 s (250 ms doubling to 2 s,
 * five retries) rides out a leader election, and the relay takes over after that.
 */
export const PRODUCER_RETRY: RetryOptions = { initialRetryTime: 250, maxRetryTime: 2_000, retries: 5 };

/**
 * How long the group coordinator waits for a member that has gone silent. When the broker
 * restarts it remembers the members, and a consumer that kafkajs restarted joins under a new id,
 * so the group waits this long for the old one: with kafkajs's 30 s default the consumer resumed
 * 31 s after the broker was back. 6 s is the lowest a broker allows by default
 * (`group.min.session.timeout.ms`); the embedded broker of infra/kafka allows 3 s, so `npm start`
 * runs the timeline consumer with 4 s (KAFKA_SESSION_TIMEOUT_MS). Long batches keep the session
 * alive with heartbeats (see the batch processor).
 */
export const CONSUMER_SESSION_TIMEOUT_MS = 6_000;

/** The shortest session a consumer may ask for: the embedded broker's `group.min.session.timeout.ms`. */
export const MIN_CONSUMER_SESSION_TIMEOUT_MS = 3_000;

/**
 * A quarter of the shortest session: three heartbeats may be lost before it expires, whichever
 * session the consumer runs with. Heartbeats are one small request each.
 */
export const CONSUMER_HEARTBEAT_INTERVAL_MS = 750;
