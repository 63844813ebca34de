/**
 * The rest-hook deliverer: claims subscriptions whose next attempt is due and sends what each is
 * owed (handshake, the next events in order, or a heartbeat), then records the outcome.
 *
 * Guarantees
 * - At least once, in order: an event stays owed until its endpoint answers 2xx to a notification
 *   carrying it; the acknowledged number only moves forward, so events go out in number order and
 *   a failure (or a crash mid-POST: the lease expires) resends the same ones.
 * - Failures back off (doubling, capped, jittered) and never stop delivery: a subscription goes to
 *   `error` after `maxFailures` failures in a row (a handshake at once), and back to `active` on the
 *   first success.
 * - One sender per subscription: a claim is a lease in the database, so instances never race.
 */
import { relayBackoffMs, type Database } from '@oncoimg/store';
import { silentLogger, type Logger } from '@oncoimg/telemetry';
import { afterFailure, workDue, type DeliveryWork } from '../domain/delivery-policy.ts';
import { MAX_TIMEOUT_SECONDS } from '../domain/subscription-spec.ts';
import {
  claimDue,
  readEvents,
  recordFailure,
  recordSuccess,
  releaseIdle,
  type StoredEvent,
} from '../store/delivery.repository.ts';
import type { StoredSubscription } from '../store/subscription.repository.ts';
import { buildNotification, type NotificationUrls } from './notifications.ts';
import { postRestHook, type RestHookPoster } from './rest-hook.ts';
import type { SubscriptionMetrics } from './subscription-metrics.ts';

export interface DeliveryRetrySettings {
  /** SUBSCRIPTION_MAX_FAILURES: failures in a row before a subscription is marked `error`. */
  maxFailures: number;
  /** SUBSCRIPTION_RETRY_INITIAL_MS and SUBSCRIPTION_RETRY_MAX_MS: the backoff between attempts. */
  initialMs: number;
  maxMs: number;
}

export interface DelivererOptions {
  db: Database;
  urls: NotificationUrls;
  retry: DeliveryRetrySettings;
  metrics: SubscriptionMetrics;
  logger?: Logger;
  /** How often due work is looked for when nothing wakes the deliverer (heartbeats, retries). */
  pollMs?: number;
  /** Subscriptions delivered to at once. */
  concurrency?: number;
  post?: RestHookPoster;
}

export interface Deliverer {
  start(): void;
  /** Looks for due work now (new events were committed). */
  wake(): void;
  /** Waits for the deliveries in flight; their outcome is recorded. */
  stop(): Promise<void>;
}

/** A claim outlives the longest POST this server makes, so it never ends while one is under way. */
const LEASE_MS = (MAX_TIMEOUT_SECONDS + 5) * 1_000;

export function createDeliverer({
  db,
  urls,
  retry,
  metrics,
  logger = silentLogger,
  pollMs = 500,
  concurrency = 8,
  post = postRestHook,
}: DelivererOptions): Deliverer {
  // Read through functions: TypeScript would keep them narrowed across the awaits that change them.
  let running = false;
  let loop: Promise<void> | undefined;
  let wakeUp: () => void = () => {};
  let woken = false;
  const isRunning = (): boolean => running;
  const wasWoken = (): boolean => woken;
  const policy = {
    maxFailures: retry.maxFailures,
    backoffMs: (failures: number) => relayBackoffMs(failures, retry),
  };

  async function eventsOwed(subscription: StoredSubscription, work: DeliveryWork): Promise<StoredEvent[]> {
    return work.kind === 'event-notification'
      ? readEvents(db, subscription.id, { after: work.afterNumber, limit: subscription.maxCount })
      : [];
  }

  async function deliver(subscription: StoredSubscription): Promise<void> {
    const work = workDue(subscription, new Date());
    if (work === null) {
      await releaseIdle(db, subscription.id);
      return;
    }
    const events = await eventsOwed(subscription, work);
    const bundle = buildNotification({
      subscription,
      type: work.kind,
      events,
      // The handshake reports the status being asked for; an `error` subscription says so until it recovers.
      ...(work.kind === 'handshake' ? { status: 'requested' as const } : {}),
      urls,
    });
    const result = await post({
      endpoint: subscription.endpoint,
      bundle,
      headers: subscription.headers,
      timeoutMs: subscription.timeoutSeconds * 1_000,
      traceparents: events.flatMap((event) => (event.traceparent ? [event.traceparent] : [])),
      notificationType: work.kind,
    });
    if (result.ok) {
      metrics.recordDelivery(work.kind, 'delivered');
      await recordSuccess(db, subscription.id, {
        handshake: work.kind === 'handshake',
        deliveredThrough: events.at(-1)?.eventNumber ?? subscription.deliveredThrough,
      });
      if (subscription.status !== 'active') {
        logger.info('subscription active', { subscription: subscription.id });
      }
      return;
    }
    metrics.recordDelivery(work.kind, 'failed');
    metrics.recordRetry();
    const next = afterFailure(subscription, work, policy);
    await recordFailure(db, subscription.id, { ...next, error: result.error });
    if (next.status === 'error' && subscription.status !== 'error') {
      logger.warn('subscription in error: its endpoint fails', {
        subscription: subscription.id,
        failures: next.failures,
        error: result.error,
      });
    }
  }

  async function tick(): Promise<number> {
    const due = await claimDue(db, concurrency, LEASE_MS);
    await Promise.all(
      due.map((subscription) =>
        deliver(subscription).catch((error: unknown) => {
          // The lease ends by itself and the delivery is tried again then.
          logger.warn('delivery could not be recorded', {
            subscription: subscription.id,
            error: String(error),
          });
        }),
      ),
    );
    return due.length;
  }

  async function run(): Promise<void> {
    while (isRunning()) {
      woken = false;
      let claimed = 0;
      try {
        claimed = await tick();
      } catch (error) {
        logger.warn('looking for due deliveries failed; retrying', { error: String(error) });
      }
      if (claimed > 0 || wasWoken() || !isRunning()) {
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wakeUp = () => {
        woken = true;
      };
    }
  }

  return {
    start() {
      if (running) {
        return;
      }
      running = true;
      wakeUp = () => {
        woken = true;
      };
      loop = run();
    },
    wake() {
      wakeUp();
    },
    async stop() {
      running = false;
      wakeUp();
      await loop;
      loop = undefined;
    },
  };
}
