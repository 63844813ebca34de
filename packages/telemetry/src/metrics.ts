import { metrics, type MeterProvider, type ObservableResult } from '@opentelemetry/api';

/**
 * The service metrics, defined once. Names are OpenTelemetry names; the Prometheus exporter turns
 * `.` into `_` and gives counters a `_total` suffix (see PROMETHEUS_NAMES).
 *
 * Label values are bounded and never patient data: route templates (`/api/patients/:patientKey/timeline`,
 * never the key), status classes, topic names, CloudEvents types, error codes, group ids, partitions.
 */
export const METRIC_NAMES = {
  httpRequests: 'oncoimg.http.server.requests',
  eventsPublished: 'oncoimg.events.published',
  outboxBacklog: 'oncoimg.outbox.backlog',
  consumerLag: 'oncoimg.consumer.lag',
  deadLetters: 'oncoimg.dead_letters',
  outboxDeadLetters: 'oncoimg.outbox.dead_letters',
  retries: 'oncoimg.retries',
  httpOverload: 'oncoimg.http.overload',
  httpRateLimited: 'oncoimg.http.rate_limited',
  auditRecords: 'oncoimg.audit.records',
  processStartTime: 'oncoimg.process.start_time_seconds',
} as const;

/** What `/metrics` shows, for dashboards and the README. */
export const PROMETHEUS_NAMES = {
  httpRequests: 'oncoimg_http_server_requests_total',
  eventsPublished: 'oncoimg_events_published_total',
  outboxBacklog: 'oncoimg_outbox_backlog',
  consumerLag: 'oncoimg_consumer_lag',
  deadLetters: 'oncoimg_dead_letters_total',
  outboxDeadLetters: 'oncoimg_outbox_dead_letters_total',
  retries: 'oncoimg_retries_total',
  httpOverload: 'oncoimg_http_overload_total',
  httpRateLimited: 'oncoimg_http_rate_limited_total',
  auditRecords: 'oncoimg_audit_records_total',
  /** Changes when the process restarts: `changes(…[1h])` counts restarts. */
  processStartTime: 'oncoimg_process_start_time_seconds',
} as const;

export interface HttpRequestOutcome {
  method: string;
  /** The route template the request matched, or `(unmatched)`. */
  route: string;
  statusCode: number;
}

export interface PartitionLagSample {
  topic: string;
  partition: number;
  lag: number;
}

export interface ServiceMetrics {
  recordHttpRequest(outcome: HttpRequestOutcome): void;
  /** Messages acknowledged by Kafka, by topic and CloudEvents type (`unknown` without one). */
  recordPublished(topic: string, type: string | undefined, count?: number): void;
  /** A message written to the dead-letter topic of `topic`; `reason` is an error code, never a message. */
  recordDeadLetter(topic: string, reason: string): void;
  /**
   * An outbox row put aside because the broker can never accept it (`outbox_dead_letters`), by
   * topic and reason code (`MESSAGE_TOO_LARGE`, `ROW_TOO_LARGE`, …).
   */
  recordOutboxDeadLetter(topic: string, reason: string): void;
  /** One more try of `what` after a transient failure (`kafka.connect`, `database.query`): a code, never a message. */
  recordRetry(what: string): void;
  /**
   * A request answered 503 by admission control: `in_flight` (too many at once), `event_loop`
   * (the process is too busy to take more) or `timeout`.
   */
  recordOverload(reason: 'in_flight' | 'event_loop' | 'timeout'): void;
  /** A request answered 429 by the per-client rate limit; `client` is the OAuth client id, never a user. */
  recordRateLimited(client: string): void;
  /**
   * Audit records by what became of them: `written` to the outbox, `retried` after a failed write
   * (the database was away), `dropped` when more were waiting than the recorder may hold.
   */
  recordAudit(result: 'written' | 'retried' | 'dropped', count: number): void;
  /** Reports `read()` as the outbox backlog of `service` until the returned function is called. */
  observeOutboxBacklog(service: string, read: () => number | null): () => void;
  /**
   * Reports the lag of consumer group `group` until the returned function is called. `read` asks
   * the broker, so it runs at most every `minIntervalMs`; scrapes in between see the last answer.
   */
  observeConsumerLag(
    group: string,
    read: () => Promise<readonly PartitionLagSample[]>,
    options?: { minIntervalMs?: number; timeoutMs?: number },
  ): () => void;
}

/** A scrape every 15 s (Prometheus' default) should not become an admin request every 15 s per replica. */
const DEFAULT_LAG_MIN_INTERVAL_MS = 10_000;
/** A scrape does not wait longer than this for the broker; it reports the last known lag instead. */
const DEFAULT_LAG_TIMEOUT_MS = 2_000;
/** Label values are identifiers of code, never free text; longer ones are cut. */
const MAX_LABEL_LENGTH = 120;

const METER_NAME = '@oncoimg/telemetry';

/** The description each instrument is created with. */
const METRIC_DESCRIPTIONS: Record<keyof typeof METRIC_NAMES, string> = {
  httpRequests: 'HTTP requests answered, by method, route template and status class',
  eventsPublished: 'Events acknowledged by Kafka (acks=all), by topic and CloudEvents type',
  deadLetters: 'Messages sent to a dead-letter topic, by original topic and error code',
  outboxDeadLetters: 'Outbox rows put aside as never publishable, by topic and reason code',
  outboxBacklog: 'Outbox rows written and not yet published to Kafka',
  consumerLag: 'Messages not yet committed by the consumer group, per topic partition',
  retries: 'Tries again after a transient failure, by what was retried',
  httpOverload: 'Requests answered 503 by admission control, by reason (in_flight, event_loop, timeout)',
  httpRateLimited: 'Requests answered 429 by the per-client rate limit, by OAuth client id',
  auditRecords: 'Audit records written to the outbox, retried or dropped, by result',
  processStartTime: 'When this process started, in seconds since the epoch; a new value is a restart',
};

/** `404` → `4xx`; anything outside 100–599 is `other`. */
export function statusClassOf(statusCode: number): string {
  return statusCode >= 100 && statusCode < 600 ? `${String(Math.floor(statusCode / 100))}xx` : 'other';
}

function label(value: string): string {
  return value.length > MAX_LABEL_LENGTH ? value.slice(0, MAX_LABEL_LENGTH) : value;
}

/**
 * Instruments belong to the meter provider they were created with: one set per provider, so a
 * provider registered later (tests, `startTelemetry`) gets its own instead of the no-op ones.
 */
const byProvider = new WeakMap<MeterProvider, ServiceMetrics>();

/** The service metrics on the global meter provider (no-ops until one is registered). */
export function serviceMetrics(): ServiceMetrics {
  const provider = metrics.getMeterProvider();
  let existing = byProvider.get(provider);
  if (!existing) {
    existing = createServiceMetrics(provider);
    byProvider.set(provider, existing);
  }
  return existing;
}

function createServiceMetrics(provider: MeterProvider): ServiceMetrics {
  const meter = provider.getMeter(METER_NAME);
  const counter = (
    name:
      | 'httpRequests'
      | 'eventsPublished'
      | 'deadLetters'
      | 'outboxDeadLetters'
      | 'retries'
      | 'httpOverload'
      | 'httpRateLimited'
      | 'auditRecords',
  ) => meter.createCounter(METRIC_NAMES[name], { description: METRIC_DESCRIPTIONS[name] });
  const gauge = (name: 'outboxBacklog' | 'consumerLag' | 'processStartTime') =>
    meter.createObservableGauge(METRIC_NAMES[name], { description: METRIC_DESCRIPTIONS[name] });
  const httpRequests = counter('httpRequests');
  const eventsPublished = counter('eventsPublished');
  const deadLetters = counter('deadLetters');
  const outboxDeadLetters = counter('outboxDeadLetters');
  const outboxBacklog = gauge('outboxBacklog');
  const consumerLag = gauge('consumerLag');
  const retries = counter('retries');
  const httpOverload = counter('httpOverload');
  const httpRateLimited = counter('httpRateLimited');
  const auditRecords = counter('auditRecords');
  const processStartTime = gauge('processStartTime');
  const startedAtSeconds = Math.round((Date.now() - performance.now()) / 1_000);
  processStartTime.addCallback((result: ObservableResult) => {
    result.observe(startedAtSeconds);
  });

  const backlogSources = new Map<symbol, { service: string; read: () => number | null }>();
  outboxBacklog.addCallback((result: ObservableResult) => {
    for (const { service, read } of backlogSources.values()) {
      const value = read();
      if (value !== null) {
        result.observe(value, { service: label(service) });
      }
    }
  });

  interface LagSource {
    group: string;
    samples: readonly PartitionLagSample[];
    readAt: number;
    reading: Promise<void> | undefined;
    refresh(): Promise<void>;
    timeoutMs: number;
    minIntervalMs: number;
  }
  const lagSources = new Map<symbol, LagSource>();
  consumerLag.addCallback(async (result: ObservableResult) => {
    const sources = [...lagSources.values()];
    await Promise.all(
      sources.map(async (source) => {
        if (Date.now() - source.readAt >= source.minIntervalMs) {
          source.reading ??= source.refresh().finally(() => {
            source.reading = undefined;
          });
          await waitAtMost(source.reading, source.timeoutMs);
        }
      }),
    );
    for (const { group, samples } of sources) {
      for (const { topic, partition, lag } of samples) {
        result.observe(lag, { group: label(group), topic: label(topic), partition: String(partition) });
      }
    }
  });

  return {
    recordHttpRequest({ method, route, statusCode }) {
      httpRequests.add(1, {
        method: label(method.toUpperCase()),
        route: label(route),
        status_class: statusClassOf(statusCode),
      });
    },
    recordPublished(topic, type, count = 1) {
      eventsPublished.add(count, { topic: label(topic), type: label(type ?? 'unknown') });
    },
    recordDeadLetter(topic, reason) {
      deadLetters.add(1, { topic: label(topic), reason: label(reason) });
    },
    recordOutboxDeadLetter(topic, reason) {
      outboxDeadLetters.add(1, { topic: label(topic), reason: label(reason) });
    },
    recordRetry(what) {
      retries.add(1, { what: label(what) });
    },
    recordOverload(reason) {
      httpOverload.add(1, { reason });
    },
    recordRateLimited(client) {
      httpRateLimited.add(1, { client: label(client) });
    },
    recordAudit(result, count) {
      auditRecords.add(count, { result });
    },
    observeOutboxBacklog(service, read) {
      const key = Symbol(service);
      backlogSources.set(key, { service, read });
      return () => {
        backlogSources.delete(key);
      };
    },
    observeConsumerLag(
      group,
      read,
      { minIntervalMs = DEFAULT_LAG_MIN_INTERVAL_MS, timeoutMs = DEFAULT_LAG_TIMEOUT_MS } = {},
    ) {
      const key = Symbol(group);
      const source: LagSource = {
        group,
        samples: [],
        readAt: Number.NEGATIVE_INFINITY,
        reading: undefined,
        timeoutMs,
        minIntervalMs,
        async refresh() {
          try {
            source.samples = await read();
          } catch {
            // The broker is away: the last known lag stays, and the next scrape tries again.
          }
          source.readAt = Date.now();
        },
      };
      lagSources.set(key, source);
      return () => {
        lagSources.delete(key);
      };
    },
  };
}

async function waitAtMost(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise,
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}
