/**
 * What a subscription is owed next and what a failed or successful delivery changes: the rules,
 * without the clock or the network (the deliverer supplies both).
 */
import type { SubscriptionStatusCode } from './notification-bundle.ts';

export interface DeliveryState {
  status: SubscriptionStatusCode;
  /** Consecutive failed deliveries. */
  failures: number;
  handshakeDone: boolean;
  /** The highest event number assigned to this subscription. */
  eventsSinceStart: number;
  /** The highest event number the endpoint acknowledged. */
  deliveredThrough: number;
  heartbeatSeconds: number | null;
  lastSentAt: Date | null;
}

export type DeliveryWork =
  { kind: 'handshake' } | { kind: 'event-notification'; afterNumber: number } | { kind: 'heartbeat' };

export interface FailurePolicy {
  /** Consecutive failures after which an active subscription is marked `error`. */
  maxFailures: number;
  /** Wait before the next attempt after `failures` consecutive failures. */
  backoffMs: (failures: number) => number;
}

/**
 * The one delivery a subscription is owed now, or null. The handshake comes first; then every
 * event not yet acknowledged, oldest first; a heartbeat only when nothing else was sent for a
 * heartbeat period. An `off` subscription is owed nothing.
 */
export function workDue(state: DeliveryState, now: Date): DeliveryWork | null {
  if (state.status === 'off') {
    return null;
  }
  if (!state.handshakeDone) {
    return { kind: 'handshake' };
  }
  if (state.deliveredThrough < state.eventsSinceStart) {
    return { kind: 'event-notification', afterNumber: state.deliveredThrough };
  }
  if (
    state.heartbeatSeconds !== null &&
    (state.lastSentAt === null ||
      now.getTime() - state.lastSentAt.getTime() >= state.heartbeatSeconds * 1_000)
  ) {
    return { kind: 'heartbeat' };
  }
  return null;
}

export interface AfterFailure {
  status: SubscriptionStatusCode;
  failures: number;
  retryInMs: number;
}

/**
 * A failed delivery: a failed handshake marks the subscription `error` at once (the IG: requested
 * → active, or error); other failures only after `maxFailures` in a row. Either way delivery is
 * tried again with backoff, so an endpoint that comes back is caught up.
 */
export function afterFailure(state: DeliveryState, work: DeliveryWork, policy: FailurePolicy): AfterFailure {
  const failures = state.failures + 1;
  const giveUp = work.kind === 'handshake' || failures >= policy.maxFailures;
  return {
    status: giveUp ? 'error' : state.status,
    failures,
    retryInMs: policy.backoffMs(failures),
  };
}

/** A delivered notification: the endpoint answers again, so the subscription is active. */
export function afterSuccess(): { status: SubscriptionStatusCode; failures: number } {
  return { status: 'active', failures: 0 };
}
