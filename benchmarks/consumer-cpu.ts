/**
 * CPU per event of the timeline consumer's handler, without Kafka: synthetic events (the bench's
 * pathways) fed to `handleImagingEvents` in batches, on a fresh PGlite store or a fresh schema of
 * `DATABASE_URL`. On a shared machine wall time says little; the CPU time of this process (and of
 * its PostgreSQL backend, read from /proc) per event does not depend on what others run.
 *
 *   sh scripts/node.sh benchmarks/consumer-cpu.ts [events=12000] [batch=3000]
 *   (add --cpu-prof before the path for a V8 profile)
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { ConsumedMessage } from '@oncoimg/fhir-events';
import { migrate, openDatabase, outboxMigrations } from '@oncoimg/store';
import { handleImagingEvents } from '../services/timeline-service/src/consumers/imaging-events.consumer.ts';
import { createPatientCache } from '../services/timeline-service/src/consumers/patient-cache.ts';
import { createObservationRepository } from '../services/timeline-service/src/store/observation.repository.ts';
import { timelineMigrations } from '../services/timeline-service/src/store/timeline.migrations.ts';
import {
  createTimelineRepository,
  type TimelineRepository,
} from '../services/timeline-service/src/store/timeline.repository.ts';
import { newSyntheticRun, syntheticEventBlocks } from './synthetic-imaging.ts';

const PARTITIONS = 12;

/** User + system CPU seconds of a process, from /proc (PostgreSQL backends are other processes). */
function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${String(pid)}/stat`, 'utf8')
    .split(') ')[1]
    .split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function partitionOf(key: string): number {
  let hash = 0;
  for (const c of key) {
    hash = (hash * 31 + c.charCodeAt(0)) | 0;
  }
  return Math.abs(hash) % PARTITIONS;
}

/** Wall milliseconds spent in each repository method (relative figures only on a shared machine). */
const stages = new Map<string, number>();

function timedRepository(repository: TimelineRepository): TimelineRepository {
  const timed = { ...repository } as Record<string, unknown>;
  for (const [name, method] of Object.entries(repository) as [
    string,
    (...args: unknown[]) => Promise<unknown>,
  ][]) {
    timed[name] = async (...args: unknown[]) => {
      const started = performance.now();
      try {
        return await method(...args);
      } finally {
        stages.set(name, (stages.get(name) ?? 0) + performance.now() - started);
      }
    };
  }
  return timed as unknown as TimelineRepository;
}

async function main(): Promise<void> {
  const total = Number(process.argv[2] ?? 12_000);
  const batchSize = Number(process.argv[3] ?? 3_000);
  const url = process.env.DATABASE_URL;
  const schema = `cpu_${randomUUID().replaceAll('-', '')}`;
  const db = url ? await openDatabase({ url, schema, max: 1 }) : await openDatabase();
  try {
    await migrate(db, [...outboxMigrations, ...timelineMigrations]);
    const repository = timedRepository(createTimelineRepository({ db }));
    const patientCache = process.env.CPU_NO_CACHE ? undefined : createPatientCache();
    const deps = {
      db,
      repository,
      observations: createObservationRepository({ db }),
      groupId: 'cpu',
      timelineTopic: 'timeline',
      source: 'bench',
      patientCache,
    };
    const offsets = new Map<string, number>();
    const messages: ConsumedMessage[] = [];
    for (const block of syntheticEventBlocks(newSyntheticRun(), { total })) {
      for (const event of block) {
        const partition = partitionOf(event.key);
        const slot = `${event.role}/${String(partition)}`;
        const offset = offsets.get(slot) ?? 0;
        offsets.set(slot, offset + 1);
        messages.push({
          topic: event.role,
          partition,
          offset: String(offset),
          key: event.key,
          value: Buffer.from(event.message.value),
          headers: event.message.headers,
          timestamp: String(event.at),
        });
      }
    }
    // One connection (max: 1), so this backend is the one every transaction runs on.
    const backendPid = url
      ? (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid
      : null;
    const backendBefore = backendPid === null ? 0 : processCpuSeconds(backendPid);
    const before = process.cpuUsage();
    const started = performance.now();
    let changes = 0;
    for (let start = 0; start < messages.length; start += batchSize) {
      const result = await handleImagingEvents(messages.slice(start, start + batchSize), deps);
      changes += result.changes.length;
    }
    const wall = (performance.now() - started) / 1000;
    const used = process.cpuUsage(before);
    const nodeSeconds = (used.user + used.system) / 1e6;
    const backendSeconds = backendPid === null ? 0 : processCpuSeconds(backendPid) - backendBefore;
    const perEvent = (seconds: number) => `${((seconds / messages.length) * 1e6).toFixed(0)} µs`;
    process.stdout.write(
      `${String(messages.length)} events, batches of ${String(batchSize)}, ${db.kind}: ` +
        `node ${perEvent(nodeSeconds)}/event, backend ${perEvent(backendSeconds)}/event, ` +
        `${String(changes)} timeline writes, wall ${wall.toFixed(1)} s, ` +
        `rss ${(process.memoryUsage.rss() / 2 ** 20).toFixed(0)} MiB\n`,
    );
    const stageText = [...stages].map(([name, ms]) => `${name} ${(ms / 1000).toFixed(2)} s`).join(', ');
    process.stdout.write(`wall in the repository: ${stageText}\n`);
  } finally {
    if (url) {
      await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    }
    await db.close();
  }
}

await main();
