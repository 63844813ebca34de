/**
 * Metrics of rest-hook delivery, beside the shared service metrics: notifications delivered and
 * failed by type (`oncoimg_subscription_deliveries_total{type,result}`), retries
 * (`oncoimg_retries_total{what="subscription-delivery"}`) and the backlog of events numbered but
 * not yet acknowledged (`oncoimg_subscription_backlog`). Labels never name a subscription or patient.
 */
import { serviceMetrics } from '@oncoimg/telemetry';
import { metrics } from '@opentelemetry/api';

export interface SubscriptionMetrics {
  recordDelivery(type: string, result: 'delivered' | 'failed'): void;
  recordRetry(): void;
  /** Reports `read()` (asked at each scrape) as the backlog gauge until the returned function is called. */
  observeBacklog(read: () => Promise<number | null>): () => void;
}

export function subscriptionMetrics(): SubscriptionMetrics {
  const meter = metrics.getMeter('@oncoimg/subscription-service');
  const deliveries = meter.createCounter('oncoimg.subscription.deliveries', {
    description: 'Notification Bundles POSTed to rest-hook endpoints, by type and result',
  });
  const backlog = meter.createObservableGauge('oncoimg.subscription.backlog', {
    description: 'Events numbered for subscriptions but not yet acknowledged by their endpoints',
  });
  return {
    recordDelivery(type, result) {
      deliveries.add(1, { type, result });
    },
    recordRetry() {
      serviceMetrics().recordRetry('subscription-delivery');
    },
    observeBacklog(read) {
      const callback = async (result: { observe(value: number): void }) => {
        const value = await read();
        if (value !== null) {
          result.observe(value);
        }
      };
      backlog.addCallback(callback);
      return () => backlog.removeCallback(callback);
    },
  };
}
