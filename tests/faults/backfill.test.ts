import { afterEach, describe, expect, inject, it, onTestFailed } from 'vitest';
import { startFaultSystem, type FaultSystem } from './support/fault-system.ts';
import { planImagingLoad, runImagingLoad } from './support/imaging-load.ts';
import { expectTimelinesToConverge } from './support/timeline-check.ts';
import { readPublishedVersions } from './support/timeline-events.ts';
import { authFetch } from '@oncoimg/testing';

/**
 * A hospital loading its history: many exams for a few patients, so each patient's timeline event
 * grows large and every new version is published again. The timeline topic accepts 64 KiB per
 * record batch (Kafka's default is 1 MiB), so the relay must size its sends from the topic and
 * split them; one patient's history outgrows the topic altogether, and its rows must go aside
 * without holding back anyone else's.
 */
const TOPIC_LIMIT_BYTES = 64 * 1024;
/** Exams of the patients whose timelines stay under the limit (about 20 KB each at the end). */
const EXAMS_PER_PATIENT = 40;
/** Exams of the one patient whose timeline outgrows the limit (about 500 bytes an exam). */
const EXAMS_OF_THE_LARGEST = 160;
const PATIENTS = 4;
const READY_TIMEOUT_MS = 60_000;

interface OutboxView {
  backlog: number;
  deadLettered: number;
  lastDeadLetterReason: string | null;
}

async function timelineReadiness(base: string): Promise<{ status: number; outbox: OutboxView | null }> {
  const res = await authFetch(`${base}/readyz`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, outbox: ((await res.json()) as { outbox: OutboxView | null }).outbox };
}

describe('a backfill of many exams for a few patients', () => {
  let system: FaultSystem | undefined;
  afterEach(async () => {
    await system?.stop();
    system = undefined;
  });

  it('publishes every timeline that fits the topic and sets aside, with its reason, one that never can', async () => {
    const started = Date.now();
    system = await startFaultSystem({
      brokers: inject('kafkaBrokers'),
      databaseUrl: inject('databaseUrl'),
      timelineTopicConfig: { 'max.message.bytes': String(TOPIC_LIMIT_BYTES) },
    });
    const running = system;
    onTestFailed(() => {
      process.stderr.write(running.output());
    });
    // One plan, so that the study UIDs stay unique; the first patient keeps every exam.
    const planned = planImagingLoad({
      run: running.run,
      patients: PATIENTS,
      examsPerPatient: EXAMS_OF_THE_LARGEST,
    });
    const largest = planned[0].patientKey;
    const exams = planned.filter(
      (exam) => exam.patientKey === largest || Number(exam.label.split('-e')[1]) < EXAMS_PER_PATIENT,
    );
    const stats = await runImagingLoad({ exams, fhirBase: running.fhirBase, concurrency: 6 });
    process.stderr.write(
      `backfill: ${String(stats.acknowledged.length)} writes in ${String(Date.now() - started)} ms\n`,
    );
    expect(stats.acknowledged).toHaveLength(exams.length * 3);
    await expectTimelinesToConverge(running.timelineBase, stats.acknowledged);

    const others = [...new Set(exams.map((exam) => exam.patientKey))].filter((key) => key !== largest);
    const published = await readPublishedVersions(
      inject('kafkaBrokers'),
      running.timelineTopic,
      running.timelineBase,
      others,
    );
    expect(published.conflicts).toEqual([]);

    const deadline = Date.now() + READY_TIMEOUT_MS;
    let readiness = await timelineReadiness(running.timelineBase);
    while ((readiness.status !== 200 || readiness.outbox?.backlog !== 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      readiness = await timelineReadiness(running.timelineBase);
    }
    expect(readiness.status).toBe(200);
    expect(readiness.outbox?.backlog).toBe(0);
    expect(readiness.outbox?.lastDeadLetterReason).toMatch(/\S/);
    expect(readiness.outbox?.deadLettered).toBeGreaterThan(0);

    const res = await authFetch(`${running.timelineBase}/outbox/dead-letters`);
    expect(res.status).toBe(200);
    const text = await res.text();
    const deadLetters = JSON.parse(text) as { topic: string; size: number; reason: string }[];
    expect(deadLetters).toHaveLength(readiness.outbox?.deadLettered ?? -1);
    for (const letter of deadLetters) {
      expect(Object.keys(letter).sort()).toEqual(['failedAt', 'id', 'reason', 'size', 'topic']);
      expect(letter.topic).toBe(running.timelineTopic);
      expect(letter.size).toBeGreaterThan(TOPIC_LIMIT_BYTES * 0.8);
    }
    // Operators may read this list anywhere: it names no patient.
    expect(text).not.toContain(largest);
    const metrics = await (await authFetch(`${running.timelineBase}/metrics`)).text();
    expect(metrics).toMatch(/oncoimg_outbox_dead_letters_total\{[^}]*\} [1-9]/);
    process.stderr.write(
      `backfill scenario: ${String(published.messages)} timeline events, ${String(deadLetters.length)} set aside, ${String(Date.now() - started)} ms\n`,
    );
  });
});
