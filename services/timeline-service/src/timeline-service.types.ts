import type { TopicNames } from '@oncoimg/fhir-events';
import type { HttpAccess, RateLimitOptions } from '@oncoimg/service-runtime';
import type { Database } from '@oncoimg/store';
import type { Logger } from '@oncoimg/telemetry';
import type { Express } from 'express';
import type { TimelineChange } from './consumers/imaging-events.consumer.ts';
import type { TimelineRepository } from './store/timeline.repository.ts';
import type { TimelineServiceStatus } from './timeline-status.ts';
import type { PageSignInSettings } from './web-session/index.ts';

export interface TimelineServiceOptions {
  db: Database;
  brokers: string[];
  /** Who may call (createHttpAccess): the API and its event stream need a token; the page does not. */
  access: HttpAccess;
  port?: number;
  host?: string;
  topics?: Partial<TopicNames>;
  groupId?: string;
  /** The consumer group's session timeout (KAFKA_SESSION_TIMEOUT_MS); @oncoimg/kafka's default when left out. */
  sessionTimeoutMs?: number;
  /** Partitions of topics this service creates when they are missing. */
  numPartitions?: number;
  unreportedAfterMs?: number;
  logger?: Logger;
  /** Static files of the web page, served at `/`; none when undefined. */
  webRoot?: string;
  /** Clinical settings of the timeline rules, in days (the domain's defaults: 28). */
  baselineWindowDays?: number;
  confirmationDays?: number;
  /** The page signs in with this OpenID provider (sessions in `db`); no sign-in routes when undefined. */
  pageSignIn?: PageSignInSettings;
  /** Origins whose pages may call the API (CORS_ORIGINS); none by default. */
  corsOrigins?: readonly string[];
  /** Requests per OAuth client (RATE_LIMIT_PER_CLIENT_PER_SEC, RATE_LIMIT_BURST). */
  rateLimit?: RateLimitOptions;
  /** AUDIT_RETENTION_DAYS: stored AuditEvents older than this are deleted; 0 (default) keeps them. */
  auditRetentionDays?: number;
}

export interface TimelineService {
  app: Express;
  repository: TimelineRepository;
  /**
   * Listens first (`/healthz` answers at once, `/readyz` says what is missing), then migrates,
   * creates the topics, connects and joins the consumer group, retrying each step with backoff
   * while a dependency is down. Resolves with the bound port once consuming; a `stop()` meanwhile
   * ends the retries and resolves too.
   */
  start(): Promise<{ port: number }>;
  /** Stops in reverse order: HTTP, consumer, relay (after a short flush), producer, database. */
  stop(): Promise<void>;
  /** Registers a listener for committed timeline changes (live updates of the web page). */
  onChange(listener: (change: TimelineChange) => void): () => void;
  status(): Promise<TimelineServiceStatus>;
}
