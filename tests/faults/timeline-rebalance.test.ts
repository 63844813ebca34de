import { afterEach, describe, expect, inject, it, onTestFailed } from 'vitest';
import { loadWithFault, startFaultSystem, type FaultSystem } from './support/fault-system.ts';
import type { ServiceProcess } from './support/service-process.ts';
import { expectTimelinesToConverge } from './support/timeline-check.ts';
import { readPublishedVersions } from './support/timeline-events.ts';

/** Long enough for the load to go on between the two rebalances, short for the suite. */
const BETWEEN_REBALANCES_MS = 4_000;

/**
 * Scale-out and scale-in under load: one timeline instance consumes; a second joins the consumer
 * group in the middle (a rebalance hands it half the partitions, whose batches may be in flight),
 * then the first leaves (a graceful stop: another rebalance). The batches of several partitions
 * share one transaction, so a rebalance must neither lose nor apply twice any of them.
 */
describe('a timeline instance joins, then another leaves, during the load', () => {
  let system: FaultSystem | undefined;
  afterEach(async () => {
    await system?.stop();
    system = undefined;
  });

  it('loses nothing, duplicates nothing and publishes each timeline version once', async () => {
    const started = Date.now();
    const brokers = inject('kafkaBrokers');
    system = await startFaultSystem({
      brokers,
      databaseUrl: inject('databaseUrl'),
      timelineInstances: 2,
      startedTimelines: 1,
    });
    const running = system;
    onTestFailed(() => {
      process.stderr.write(running.output());
    });
    const [first, second] = running.timelines as [ServiceProcess, ServiceProcess];
    const stats = await loadWithFault(
      running,
      {
        afterShare: 0.3,
        inject: async () => {
          await second.start();
          await new Promise((resolve) => setTimeout(resolve, BETWEEN_REBALANCES_MS));
          await first.kill('SIGTERM');
        },
      },
      { patients: 30, examsPerPatient: 4, concurrency: 8 },
    );
    expect(stats.acknowledged).toHaveLength(stats.planned);
    expect(first.running).toBe(false);
    const comparison = await expectTimelinesToConverge(second.baseUrl, stats.acknowledged);
    expect(comparison.differences).toEqual([]);
    const patientKeys = [...new Set(stats.acknowledged.map((write) => write.patientKey))];
    const published = await readPublishedVersions(
      brokers,
      running.timelineTopic,
      second.baseUrl,
      patientKeys,
    );
    expect(published.conflicts, 'versions published twice with different content').toEqual([]);
    expect(first.unexpectedExits).toEqual([]);
    expect(second.unexpectedExits).toEqual([]);
    process.stderr.write(
      `timeline rebalance scenario: ${String(stats.planned)} writes, ${String(comparison.patients)} patients, ` +
        `${String(published.messages)} timeline events, ${String(Date.now() - started)} ms\n`,
    );
  });
});
