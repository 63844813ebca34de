import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceRequest } from '@medplum/fhirtypes';
import { ensureTopics } from '@oncoimg/kafka';
import { afterEach, describe, expect, inject, it, onTestFailed } from 'vitest';
import { planImagingLoad, runImagingLoad } from './support/imaging-load.ts';
import { spawnService, type ServiceProcess } from './support/service-process.ts';
import { authFetch } from '@oncoimg/testing';

/**
 * The embedded default keeps its data in PGlite, inside the service's own process. A SIGKILL in
 * the middle of writes must not cost an acknowledged write: after the restart, every one reads
 * back at its acknowledged version.
 */
describe('an intake service on PGlite killed with SIGKILL during writes', () => {
  let service: ServiceProcess | undefined;
  let dataDir: string | undefined;
  afterEach(async () => {
    await service?.kill('SIGTERM');
    service = undefined;
    if (dataDir) {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('reads back every acknowledged write after the restart', async () => {
    const started = Date.now();
    const run = `faults_pglite_${String(started)}`;
    const topic = `${run}.servicerequest`;
    const brokers = inject('kafkaBrokers');
    await ensureTopics({ brokers: [brokers], topics: [topic], numPartitions: 3 });
    dataDir = await mkdtemp(join(tmpdir(), 'oncoimg-pglite-'));
    const order = await spawnService({
      name: 'order-service',
      env: { KAFKA_BROKERS: brokers, TOPIC_SERVICEREQUEST: topic, DATA_DIR: dataDir },
    });
    service = order;
    onTestFailed(() => {
      process.stderr.write(order.output());
    });
    await order.start();

    const exams = planImagingLoad({ run, patients: 10, examsPerPatient: 3 });
    const stats = await runImagingLoad({
      exams,
      fhirBase: () => `${order.baseUrl}/fhir`,
      resourceTypes: ['ServiceRequest'],
      fault: {
        afterShare: 0.4,
        inject: async () => {
          await order.kill('SIGKILL');
          await order.start();
        },
      },
    });
    expect(stats.acknowledged).toHaveLength(exams.length);
    expect(new Set(stats.acknowledged.map((write) => write.id)).size).toBe(exams.length);

    const planned = new Map(exams.map((exam) => [exam.label, exam.writes.ServiceRequest.resource]));
    for (const write of stats.acknowledged) {
      const res = await authFetch(`${order.baseUrl}/fhir/ServiceRequest/${write.id}`);
      expect(res.status, `ServiceRequest/${write.id}`).toBe(200);
      const stored = (await res.json()) as ServiceRequest;
      expect(stored.meta?.versionId).toBe(write.versionId);
      expect(stored.identifier).toEqual(planned.get(write.exam)?.identifier);
    }
    expect(order.unexpectedExits).toEqual([]);
    process.stderr.write(
      `PGlite SIGKILL scenario: ${String(exams.length)} writes, ${String(stats.noAnswer)} without answer, ${String(Date.now() - started)} ms\n`,
    );
  });
});
