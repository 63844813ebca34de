import { afterAll, afterEach, beforeAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import { loadWithFault, startFaultSystem, type FaultSystem } from './support/fault-system.ts';
import { startKafkaInstance, type KafkaInstance } from './support/kafka-instance.ts';
import { expectTimelinesToConverge } from './support/timeline-check.ts';

/** Long enough that kafkajs gives up its quick retries and backs off, short enough for the load. */
const OUTAGE_MS = 15_000;
/**
 * Generous bound on catching up once the broker is back; the consumer itself should resume within
 * 5 s (packages/kafka). The measured time is printed.
 */
const CONVERGE_AFTER_RESTART_MS = 60_000;

/**
 * The broker (a private one: the shared broker is never touched) is killed with SIGKILL during
 * the load and restarted on the same port and data. Intake keeps accepting writes into its
 * outbox meanwhile; once the broker is back, every acknowledged write reaches its timeline, once.
 */
describe('the Kafka broker killed and restarted while intake keeps accepting', () => {
  let broker: KafkaInstance;
  let system: FaultSystem | undefined;

  beforeAll(async () => {
    broker = await startKafkaInstance();
  });
  afterEach(async () => {
    await system?.stop();
    system = undefined;
  });
  afterAll(async () => {
    await broker.destroy();
  });

  it('loses nothing, duplicates nothing, and catches up after the restart', async () => {
    const started = Date.now();
    system = await startFaultSystem({
      brokers: broker.brokers,
      security: broker.security,
      databaseUrl: inject('databaseUrl'),
    });
    const running = system;
    onTestFailed(() => {
      process.stderr.write(running.output());
    });
    let outageMs = 0;
    let restartedAt = 0;
    const stats = await loadWithFault(
      running,
      {
        afterShare: 0.2,
        inject: async () => {
          await broker.kill();
          const before = Date.now();
          await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
          outageMs = Date.now() - before;
          await broker.start();
          restartedAt = Date.now();
        },
      },
      { patients: 20, examsPerPatient: 3, concurrency: 2 },
    );
    expect(stats.acknowledged).toHaveLength(stats.planned);
    expect(restartedAt).toBeGreaterThan(0);
    const left = Math.max(1_000, restartedAt + CONVERGE_AFTER_RESTART_MS - Date.now());
    await expectTimelinesToConverge(running.timelineBase, stats.acknowledged, left);
    const caughtUpMs = Date.now() - restartedAt;
    for (const service of Object.values(running.services)) {
      expect(service.unexpectedExits, `${service.name} exited`).toEqual([]);
    }
    process.stderr.write(
      `broker restart scenario: ${String(stats.planned)} writes, outage ${String(outageMs)} ms, ` +
        `timelines complete ${String(caughtUpMs)} ms after the restart, ${String(Date.now() - started)} ms\n`,
    );
  });
});
