/** Messages between the benchmark runner and a service host (a child process, see service-host.ts). */
import type { TopicNames } from '@oncoimg/fhir-events';

export interface DatabaseTarget {
  /** PGlite data folder, used when `url` is absent. */
  dataDir: string;
  /** A PostgreSQL server; the host works in `schema` and drops it when it stops. */
  url?: string;
  schema?: string;
  /** Leave the schema in place at stop: another host shares it and drops it. */
  keepSchema?: boolean;
}

/**
 * How the intake service under benchmark checks tokens: `verified` as deployed (jose against the
 * host's test issuer), or `pass-through`, a verifier that accepts any bearer token without looking
 * at it: the same middleware and scope checks minus the token's verification, to measure its cost.
 */
export type BenchAccess = 'verified' | 'pass-through';

export type HostCommand =
  | {
      type: 'start-intake';
      brokers: string[];
      database: DatabaseTarget;
      topic: string;
      access: BenchAccess;
      /** The order service (default) or the study service. */
      resourceType?: 'ServiceRequest' | 'ImagingStudy';
      /** false: each single write in its own transaction (to measure what group commit brings). */
      groupCommit?: boolean;
    }
  | {
      type: 'start-timeline';
      brokers: string[];
      database: DatabaseTarget;
      topics: Partial<TopicNames>;
      groupId: string;
    }
  /** Resolves once the timeline service has committed offsets for `total` messages. */
  | { type: 'wait-consumed'; total: number; timeoutMs: number }
  /** Resolves once offsets for `total` messages are committed and the timeline outbox is empty. */
  | { type: 'wait-drained'; total: number; timeoutMs: number }
  | { type: 'rebuild'; brokers: string[]; database: DatabaseTarget; topics: Partial<TopicNames> }
  | { type: 'usage' }
  | { type: 'stop' };

/** CPU time and memory of the host process so far. */
export interface HostUsage {
  cpuMs: number;
  rssBytes: number;
  rssPeakBytes: number;
  heapUsedBytes: number;
}

export type HostReply =
  /** `authorization`: the header every request of the runner sends (a token of the host's issuer). */
  | { type: 'started'; port: number; authorization: string }
  | {
      type: 'consumed';
      total: number;
      elapsedMs: number;
      /** Wall clock (epoch ms) of the group join and of the last committed change, comparable across hosts. */
      startedAtEpochMs: number;
      lastChangeAtEpochMs: number;
    }
  | {
      type: 'rebuilt';
      events: number;
      patients: number;
      elapsedMs: number;
      readingMs: number;
      spills: number;
    }
  | { type: 'drained'; atEpochMs: number }
  | { type: 'usage' }
  | { type: 'stopped'; outboxBacklog: number | null }
  | { type: 'error'; message: string };

export type HostResponse = HostReply & { usage: HostUsage };
