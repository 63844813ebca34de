import type { ConsumerRunner } from '@oncoimg/kafka';
import type { OutboxRelay } from '@oncoimg/store';
import type { TimelineRepository } from './store/timeline.repository.ts';

/** What the service waits for before it is ready, in start-up order. */
export type TimelineDependency = 'database' | 'migrations' | 'kafka' | 'consumer group' | 'outbox relay';

export interface TimelineServiceStatus {
  ready: boolean;
  /** Why it is not ready; empty when ready. */
  missing: TimelineDependency[];
  database: 'up' | 'down';
  kafka: 'up' | 'down';
  consumer: ReturnType<ConsumerRunner['stats']> | null;
  outbox: ReturnType<OutboxRelay['status']> | null;
  patients: number | null;
  settings: { baselineWindowDays: number; confirmationDays: number };
}

/** What the timeline service knows of itself at one moment, for `/status` and `/readyz`. */
export interface TimelineStatusSources {
  repository: TimelineRepository;
  relay: OutboxRelay | undefined;
  runner: ConsumerRunner | undefined;
  /** The producer connected (and not since stopped). */
  kafkaUp: boolean;
  migrated: boolean;
  settings: TimelineServiceStatus['settings'];
}

/** The service status: up and down dependencies, and what is missing before it is ready. */
export async function timelineStatus({
  repository,
  relay,
  runner,
  kafkaUp,
  migrated,
  settings,
}: TimelineStatusSources): Promise<TimelineServiceStatus> {
  let database: 'up' | 'down' = 'up';
  let patients: number | null = null;
  try {
    patients = (await repository.counts()).patients;
  } catch {
    database = 'down';
  }
  const outbox = relay?.status() ?? null;
  const consumer = runner?.stats() ?? null;
  const kafka = kafkaUp && (outbox?.consecutiveFailures ?? 0) === 0 ? 'up' : 'down';
  const missing: TimelineDependency[] = [];
  if (database === 'down') {
    missing.push('database');
  }
  if (!migrated) {
    missing.push('migrations');
  }
  if (kafka === 'down') {
    missing.push('kafka');
  }
  if (!consumer?.running) {
    missing.push('consumer group');
  }
  if (!relay) {
    missing.push('outbox relay');
  }
  return {
    ready: missing.length === 0,
    missing,
    database,
    kafka,
    consumer,
    outbox,
    patients,
    settings,
  };
}
