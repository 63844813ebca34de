/**
 * The four services as separate processes on fresh topics, schemas and consumer group, so a
 * fault test can kill any one of them, or the database under them, and start it again.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImagingResourceType } from '@oncoimg/fhir-events';
import { ensureTopics } from '@oncoimg/kafka';
import { openDatabase } from '@oncoimg/store';
import { planImagingLoad, runImagingLoad, type LoadStats, type RunLoadOptions } from './imaging-load.ts';
import { spawnService, type ServiceName, type ServiceProcess } from './service-process.ts';

export const INTAKE_SERVICE_OF: Record<ImagingResourceType, ServiceName> = {
  ServiceRequest: 'order-service',
  ImagingStudy: 'study-service',
  DiagnosticReport: 'report-service',
};

export interface FaultSystem {
  /** Unique to this system: prefix of its topics, schemas and group. */
  readonly run: string;
  readonly services: Record<ServiceName, ServiceProcess>;
  /** Every timeline instance, in one consumer group; the first is `services['timeline-service']`. */
  readonly timelines: readonly ServiceProcess[];
  /** The FHIR base (`…/fhir`) of the service that takes each resource type. */
  readonly fhirBase: (resourceType: ImagingResourceType) => string;
  readonly timelineBase: string;
  /** The topic the timeline service publishes timeline events on. */
  readonly timelineTopic: string;
  /** Every service's output, for a failing test to print. */
  output(): string;
  /** Stops every process, then drops the schemas or folders it made. */
  stop(): Promise<void>;
}

export interface StartFaultSystemOptions {
  brokers: string;
  /** A PostgreSQL server; without one, each service keeps PGlite in a temp folder. */
  databaseUrl: string | undefined;
  /** Timeline service processes sharing one consumer group and one database (scale-out). */
  timelineInstances?: number;
  /** How many of them start now (default all); a test starts the others itself, to join later. */
  startedTimelines?: number;
  /** Topic-level settings of the timeline topic (`max.message.bytes`, …), created before any service. */
  timelineTopicConfig?: Record<string, string>;
}

/** Starts the four services and waits until each answers `/readyz` with 200. */
export async function startFaultSystem({
  brokers,
  databaseUrl,
  timelineInstances = 1,
  startedTimelines = timelineInstances,
  timelineTopicConfig,
}: StartFaultSystemOptions): Promise<FaultSystem> {
  const run = `faults_${randomUUID().slice(0, 8)}`;
  const topics = {
    TOPIC_SERVICEREQUEST: `${run}.servicerequest`,
    TOPIC_IMAGINGSTUDY: `${run}.imagingstudy`,
    TOPIC_DIAGNOSTICREPORT: `${run}.diagnosticreport`,
    TOPIC_TIMELINE: `${run}.timeline`,
    TOPIC_AUDIT: `${run}.audit`,
  };
  // Created up front with three partitions, as deployed, rather than by whichever service wins.
  // The timeline topic first, so that its settings apply: ensureTopics leaves existing topics alone.
  const config = timelineTopicConfig ?? {};
  await ensureTopics({ brokers: [brokers], topics: [topics.TOPIC_TIMELINE], numPartitions: 3, config });
  await ensureTopics({ brokers: [brokers], topics: Object.values(topics), numPartitions: 3 });
  const dataRoot = databaseUrl ? undefined : await mkdtemp(join(tmpdir(), `oncoimg-${run}-`));

  const names: ServiceName[] = ['order-service', 'study-service', 'report-service', 'timeline-service'];
  const schemaOf = (name: ServiceName): string => `${run}_${name.replace('-service', '')}`;
  const spawnOne = (name: ServiceName): Promise<ServiceProcess> =>
    spawnService({
      name,
      env: {
        KAFKA_BROKERS: brokers,
        ...topics,
        KAFKA_GROUP_ID: `${run}-timeline`,
        DATABASE_SCHEMA: schemaOf(name),
        ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { DATA_DIR: join(dataRoot!, name) }),
      },
    });
  const entries = await Promise.all(names.map(async (name) => [name, await spawnOne(name)] as const));
  const services = Object.fromEntries(entries) as Record<ServiceName, ServiceProcess>;
  const timelines = [services['timeline-service']];
  for (let i = 1; i < timelineInstances; i += 1) {
    timelines.push(await spawnOne('timeline-service'));
  }
  const all = [...Object.values(services), ...timelines.slice(1)];
  const output = (): string => all.map((service) => service.output()).join('\n');
  try {
    // One at a time: four cold TypeScript starts at once starve a small machine.
    for (const service of all.slice(0, all.length - (timelineInstances - startedTimelines))) {
      await service.start();
    }
  } catch (error) {
    await Promise.all(all.map((service) => service.kill()));
    throw error;
  }

  return {
    run,
    services,
    timelines,
    fhirBase: (resourceType) => `${services[INTAKE_SERVICE_OF[resourceType]].baseUrl}/fhir`,
    timelineBase: services['timeline-service'].baseUrl,
    timelineTopic: topics.TOPIC_TIMELINE,
    output,
    async stop() {
      await Promise.all(all.map((service) => service.kill('SIGTERM')));
      if (dataRoot) {
        await rm(dataRoot, { recursive: true, force: true });
        return;
      }
      const db = await openDatabase({ url: databaseUrl });
      try {
        for (const name of names) {
          await db.exec(`DROP SCHEMA IF EXISTS ${schemaOf(name)} CASCADE`);
        }
      } finally {
        await db.close();
      }
    },
  };
}

export interface LoadSize {
  patients?: number;
  examsPerPatient?: number;
  /** Exams in flight at once. */
  concurrency?: number;
}

/**
 * The load a system-wide fault test sends (by default 10 patients × 3 exams × order, study,
 * report: 90 writes), with `fault` injected part-way. Sized so the scenarios together stay within
 * a few minutes on a 2-core machine.
 */
export async function loadWithFault(
  system: FaultSystem,
  fault: NonNullable<RunLoadOptions['fault']>,
  { patients = 10, examsPerPatient = 3, concurrency }: LoadSize = {},
): Promise<LoadStats & { planned: number }> {
  const exams = planImagingLoad({ run: system.run, patients, examsPerPatient });
  const stats = await runImagingLoad({ exams, fhirBase: system.fhirBase, fault, concurrency });
  return { ...stats, planned: exams.length * 3 };
}
