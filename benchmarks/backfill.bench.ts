/**
 * Issue 15: a hospital loading its history. `studies` ImagingStudies for `patients` patients are
 * POSTed to the study service (16 connections; a 503 is retried after its Retry-After), while the
 * timeline service consumes them; the figure is how long after the last acknowledged POST the
 * timeline has consumed every study and published every timeline event (outbox empty), with the
 * peak RSS of both services.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTopics } from '@oncoimg/kafka';
import { uniqueName } from '@oncoimg/testing';
import type { BenchConfig } from './config.ts';
import { forkServiceHost } from './host-client.ts';
import { createHttpClient } from './http-client.ts';
import { deleteTopics } from './topics.ts';
import { asNewResource, syntheticExam, type SyntheticRun } from './synthetic-imaging.ts';

export interface BackfillFigures {
  studies: number;
  patients: number;
  database: 'pglite' | 'postgres';
  postSeconds: number;
  refusals: number;
  drainSeconds: number;
  rssPeakBytes: { study: number; timeline: number };
}

const CONNECTIONS = 16;

export async function benchBackfill(
  config: BenchConfig,
  run: SyntheticRun,
  log: (line: string) => void,
  execArgv: (name: string) => string[],
): Promise<BackfillFigures> {
  const { studies, patients } = config.backfill;
  const url = config.timeline.databaseUrl;
  const topics = {
    serviceRequest: uniqueName('bench.backfill.servicerequest'),
    imagingStudy: uniqueName('bench.backfill.imagingstudy'),
    diagnosticReport: uniqueName('bench.backfill.diagnosticreport'),
    timeline: uniqueName('bench.backfill.timeline'),
  };
  const dataRoot = await mkdtemp(join(tmpdir(), 'bench-backfill-'));
  const studyHost = forkServiceHost({ execArgv: execArgv('backfill-study') });
  const timelineHost = forkServiceHost({ execArgv: execArgv('backfill-timeline') });
  const database = (name: string) => ({
    dataDir: join(dataRoot, name),
    url,
    schema: `bench_backfill_${name}_${run.tag}`,
  });
  try {
    await ensureTopics({
      brokers: config.brokers,
      topics: Object.values(topics),
      numPartitions: config.timeline.partitions,
    });
    const { port, authorization } = await studyHost.call(
      {
        type: 'start-intake',
        brokers: config.brokers,
        database: database('study'),
        topic: topics.imagingStudy,
        resourceType: 'ImagingStudy',
        access: 'verified',
      },
      'started',
    );
    await timelineHost.call(
      {
        type: 'start-timeline',
        brokers: config.brokers,
        database: database('timeline'),
        topics,
        groupId: uniqueName('bench-backfill'),
      },
      'started',
    );
    log(`  backfill: POST ${String(studies)} ImagingStudies for ${String(patients)} patients`);
    const http = createHttpClient({ port, connections: CONNECTIONS, headers: { authorization } });
    const examsPerPatient = Math.ceil(studies / patients);
    let next = 0;
    let refusals = 0;
    const started = performance.now();
    const worker = async (): Promise<void> => {
      for (let index = next++; index < studies; index = next++) {
        const study = asNewResource(
          syntheticExam(run, index % patients, Math.floor(index / patients) % examsPerPatient).study,
        );
        for (;;) {
          const answer = await http.post('/fhir/ImagingStudy', JSON.stringify(study));
          if (answer.status === 201) {
            break;
          }
          if (answer.status !== 503) {
            throw new Error(
              `POST ImagingStudy answered ${String(answer.status)}: ${answer.body.slice(0, 300)}`,
            );
          }
          refusals += 1;
          await new Promise((resolve) => setTimeout(resolve, Number(answer.retryAfter ?? '1') * 1000));
        }
      }
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, worker));
    http.close();
    const postedAt = Date.now();
    const postSeconds = (performance.now() - started) / 1000;
    log(`  backfill: posted in ${postSeconds.toFixed(1)} s; waiting for the timeline to drain`);
    const drained = await timelineHost.call(
      { type: 'wait-drained', total: studies, timeoutMs: 1_800_000 },
      'drained',
    );
    const timelineStopped = await timelineHost.stop();
    const studyStopped = await studyHost.stop();
    return {
      studies,
      patients,
      database: url ? 'postgres' : 'pglite',
      postSeconds,
      refusals,
      drainSeconds: (drained.atEpochMs - postedAt) / 1000,
      rssPeakBytes: { study: studyStopped.usage.rssPeakBytes, timeline: timelineStopped.usage.rssPeakBytes },
    };
  } catch (error) {
    await timelineHost.stop().catch(() => undefined);
    await studyHost.stop().catch(() => undefined);
    throw error;
  } finally {
    await deleteTopics(config.brokers, Object.values(topics)).catch(() => undefined);
    await rm(dataRoot, { recursive: true, force: true });
  }
}
