import { afterEach, describe, expect, inject, it, onTestFailed } from 'vitest';
import { loadWithFault, startFaultSystem, type FaultSystem } from './support/fault-system.ts';
import type { ServiceProcess } from './support/service-process.ts';
import { expectTimelinesToConverge } from './support/timeline-check.ts';
import { readPublishedVersions } from './support/timeline-events.ts';

/**
 * Two timeline instances share one consumer group and one database, so a patient's order, study
 * and report topics may be consumed by different instances at once; one instance is killed in the
 * middle (a rebalance hands its partitions to the other). Every acknowledged write must end on its
 * patient's timeline, once, and no timeline version may be published twice with different content.
 * Without per-patient serialization this loses a few parts per few hundred writes.
 */
describe('two timeline instances in one consumer group, one killed during the load', () => {
  let system: FaultSystem | undefined;
  afterEach(async () => {
    await system?.stop();
    system = undefined;
  });

  it('loses nothing, duplicates nothing and publishes each timeline version once', async () => {
    const started = Date.now();
    const brokers = inject('kafkaBrokers');
    system = await startFaultSystem({ brokers, databaseUrl: inject('databaseUrl'), timelineInstances: 2 });
    const running = system;
    onTestFailed(() => {
      process.stderr.write(running.output());
    });
    const [first, second] = running.timelines as [ServiceProcess, ServiceProcess];
    const stats = await loadWithFault(
      running,
      {
        afterShare: 0.5,
        inject: async () => {
          await first.kill('SIGKILL');
        },
      },
      { patients: 30, examsPerPatient: 4, concurrency: 8 },
    );
    expect(stats.acknowledged).toHaveLength(stats.planned);
    const comparison = await expectTimelinesToConverge(second.baseUrl, stats.acknowledged);
    const patientKeys = [...new Set(stats.acknowledged.map((write) => write.patientKey))];
    const published = await readPublishedVersions(
      brokers,
      running.timelineTopic,
      second.baseUrl,
      patientKeys,
    );
    expect(published.conflicts, 'versions published twice with different content').toEqual([]);
    for (const service of running.timelines.slice(1)) {
      expect(service.unexpectedExits).toEqual([]);
    }
    process.stderr.write(
      `timeline scale-out scenario: ${String(stats.planned)} writes, ${String(comparison.patients)} patients, ` +
        `${String(published.messages)} timeline events, ${String(Date.now() - started)} ms\n`,
    );
  });
});
