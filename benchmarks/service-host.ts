/**
 * A service under benchmark, in a process of its own (forked by host-client.ts), so that its CPU
 * time and RSS are measured apart from the load generator. It runs the real service factories
 * and answers the runner's commands over IPC, one at a time.
 */
import { createIntakeService, type IntakeService } from '@oncoimg/intake';
import { openDatabase, type Database } from '@oncoimg/store';
import { describeProgress } from '../services/timeline-service/src/rebuild-progress.ts';
import { rebuildTimelines } from '../services/timeline-service/src/rebuild.ts';
import {
  createTimelineService,
  type TimelineService,
} from '../services/timeline-service/src/timeline-service.ts';
import type { DatabaseTarget, HostCommand, HostReply, HostResponse, HostUsage } from './host-protocol.ts';
import { startRssSampler } from './rss-sampler.ts';
import { testAuth } from '@oncoimg/testing';
import type { TokenVerifier } from '@oncoimg/auth';
import type { HttpAccess } from '@oncoimg/service-runtime';

const rss = startRssSampler(50);
let db: Database | undefined;
let dropSchemaOnStop: string | undefined;
let intake: IntakeService | undefined;
let timeline:
  | {
      service: TimelineService;
      groupId: string;
      startedAt: number;
      lastChangeAt: number;
      startedAtEpochMs: number;
      lastChangeAtEpochMs: number;
    }
  | undefined;

/** How often the host looks at the committed offsets while waiting for the consumer to finish. */
const CONSUMED_POLL_MS = 20;
const REBUILD_PROGRESS_EVERY_MS = 15_000;

function usage(): HostUsage {
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  return {
    cpuMs: (cpu.user + cpu.system) / 1000,
    rssBytes: memory.rss,
    rssPeakBytes: Math.max(rss.peakBytes(), memory.rss),
    heapUsedBytes: memory.heapUsed,
  };
}

async function open(target: DatabaseTarget): Promise<Database> {
  const opened = await openDatabase(
    target.url ? { url: target.url, schema: target.schema, max: 10 } : { dataDir: target.dataDir },
  );
  dropSchemaOnStop = target.url && !target.keepSchema ? target.schema : undefined;
  db = opened;
  return opened;
}

async function committedOffsets(database: Database, groupId: string): Promise<number> {
  const { rows } = await database.query<{ n: string }>(
    'SELECT coalesce(sum(next_offset), 0)::text AS n FROM consumer_offsets WHERE consumer_group = $1',
    [groupId],
  );
  return Number(rows.at(0)?.n ?? 0);
}

/** Accepts any token without looking at it, with every scope: only for measuring verification. */
const passThrough: TokenVerifier = {
  issuer: 'bench-pass-through',
  verify: () => Promise.resolve({ claims: { scope: 'system/*.cruds' }, header: { alg: 'none' } }),
};

async function benchAccess(kind: 'verified' | 'pass-through'): Promise<HttpAccess> {
  const { access } = await testAuth();
  return kind === 'verified' ? access : { ...access, verifier: passThrough };
}

const NO_RATE_LIMIT = { perSecond: 0, burst: 1 };

/**
 * The runner's bearer token, from this process's issuer (the one the services trust). Valid for
 * the whole run: a full backfill on a loaded machine outlasts the test tokens' 5 minutes.
 */
async function runToken(): Promise<string> {
  return `Bearer ${await (await testAuth()).issuer.sign({}, { expiresIn: '6h' })}`;
}

async function handle(command: HostCommand): Promise<HostReply> {
  switch (command.type) {
    case 'start-intake': {
      const study = command.resourceType === 'ImagingStudy';
      intake = createIntakeService({
        access: await benchAccess(command.access),
        name: study ? 'study-service' : 'order-service',
        resourceType: study ? 'ImagingStudy' : 'ServiceRequest',
        db: await open(command.database),
        brokers: command.brokers,
        topics: study
          ? { imagingStudy: command.topic, audit: `${command.topic}.audit` }
          : { serviceRequest: command.topic, audit: `${command.topic}.audit` },
        ...(command.groupCommit === false ? { groupCommit: false } : {}),
        port: 0,
        // One client sends the whole load: the per-client limit would measure itself, not intake.
        rateLimit: NO_RATE_LIMIT,
      });
      const { port } = await intake.start();
      return { type: 'started', port, authorization: await runToken() };
    }
    case 'start-timeline': {
      const service = createTimelineService({
        access: (await testAuth()).access,
        db: await open(command.database),
        brokers: command.brokers,
        // An audit topic of its own: the shared one holds every earlier run's records.
        topics: { audit: `${command.groupId}.audit`, ...command.topics },
        groupId: command.groupId,
        port: 0,
      });
      const state = {
        service,
        groupId: command.groupId,
        startedAt: 0,
        lastChangeAt: 0,
        startedAtEpochMs: 0,
        lastChangeAtEpochMs: 0,
      };
      service.onChange(() => {
        state.lastChangeAt = performance.now();
        state.lastChangeAtEpochMs = Date.now();
      });
      const { port } = await service.start();
      const authorization = await runToken();
      // start() resolves just after the group join: from here on the consumer fetches.
      state.startedAt = performance.now();
      state.startedAtEpochMs = Date.now();
      timeline = state;
      return { type: 'started', port, authorization };
    }
    case 'wait-consumed': {
      if (!timeline || !db) {
        throw new Error('timeline service not started');
      }
      const deadline = performance.now() + command.timeoutMs;
      let consumed: number;
      while ((consumed = await committedOffsets(db, timeline.groupId)) < command.total) {
        if (performance.now() > deadline) {
          throw new Error(`consumed ${String(consumed)} of ${String(command.total)} before the timeout`);
        }
        await new Promise((resolve) => setTimeout(resolve, CONSUMED_POLL_MS));
      }
      // The last batch's change notice fires right after its commit: the precise end.
      return {
        type: 'consumed',
        total: consumed,
        elapsedMs: timeline.lastChangeAt - timeline.startedAt,
        startedAtEpochMs: timeline.startedAtEpochMs,
        lastChangeAtEpochMs: timeline.lastChangeAtEpochMs,
      };
    }
    case 'wait-drained': {
      if (!timeline || !db) {
        throw new Error('timeline service not started');
      }
      const deadline = performance.now() + command.timeoutMs;
      for (;;) {
        const consumed = await committedOffsets(db, timeline.groupId);
        // Read now: the relay's own status is refreshed only every few seconds.
        const { rows } = await db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL',
        );
        const backlog = rows.at(0)?.n ?? 0;
        if (consumed >= command.total && backlog === 0) {
          return { type: 'drained', atEpochMs: Date.now() };
        }
        if (performance.now() > deadline) {
          throw new Error(
            `consumed ${String(consumed)} of ${String(command.total)}, outbox backlog ${String(backlog)}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, CONSUMED_POLL_MS * 5));
      }
    }
    case 'rebuild': {
      let lastPrint = 0;
      const result = await rebuildTimelines({
        db: await open(command.database),
        brokers: command.brokers,
        topics: command.topics,
        onProgress: (progress) => {
          if (progress.elapsedMs - lastPrint < REBUILD_PROGRESS_EVERY_MS) {
            return;
          }
          lastPrint = progress.elapsedMs;
          process.stderr.write(`  rebuild: ${describeProgress(progress)}\n`);
        },
      });
      return {
        type: 'rebuilt',
        events: result.events,
        patients: result.patients,
        elapsedMs: result.elapsedMs,
        readingMs: result.readingMs,
        spills: result.spills,
      };
    }
    case 'usage':
      return { type: 'usage' };
    case 'stop': {
      const outboxBacklog = intake ? ((await intake.status()).outbox?.backlog ?? null) : null;
      await intake?.stop();
      await timeline?.service.stop();
      intake = undefined;
      timeline = undefined;
      if (db && dropSchemaOnStop) {
        await db.exec(`DROP SCHEMA IF EXISTS ${dropSchemaOnStop} CASCADE`);
      }
      await db?.close();
      db = undefined;
      return { type: 'stopped', outboxBacklog };
    }
  }
}

process.on('message', (command: HostCommand) => {
  handle(command)
    .catch((error: unknown): HostReply => ({
      type: 'error',
      message: error instanceof Error ? error.message : String(error),
    }))
    .then((reply) => {
      const response: HostResponse = { ...reply, usage: usage() };
      process.send?.(response, () => {
        // Exiting (not just disconnecting) writes a --cpu-prof profile and leaves no client timers behind.
        if (command.type === 'stop') {
          process.exit(0);
        }
      });
    })
    .catch((error: unknown) => {
      process.stderr.write(`service host: ${String(error)}\n`);
      process.exit(1);
    });
});
