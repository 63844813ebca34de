import { afterEach, describe, expect, inject, it, onTestFailed } from 'vitest';
import { loadWithFault, startFaultSystem, type FaultSystem } from './support/fault-system.ts';
import { expectTimelinesToConverge } from './support/timeline-check.ts';

/**
 * The timeline consumer dies with SIGKILL in the middle of a batch: its transaction never
 * committed, its Kafka offsets may or may not have been. Restarted, it must apply every event
 * once: nothing lost, nothing twice.
 */
describe('the timeline service killed with SIGKILL during the load', () => {
  let system: FaultSystem | undefined;
  afterEach(async () => {
    await system?.stop();
    system = undefined;
  });

  it('loses nothing and duplicates nothing once it is restarted', async () => {
    const started = Date.now();
    system = await startFaultSystem({ brokers: inject('kafkaBrokers'), databaseUrl: inject('databaseUrl') });
    const running = system;
    const phase = (what: string): void => {
      process.stderr.write(`${what}: ${String(Date.now() - started)} ms\n`);
    };
    phase('started');
    onTestFailed(() => {
      process.stderr.write(running.output());
    });
    const timeline = running.services['timeline-service'];
    const stats = await loadWithFault(running, {
      afterShare: 0.4,
      inject: async () => {
        phase('killing');
        await timeline.kill('SIGKILL');
        await timeline.start();
        phase('restarted');
      },
    });
    phase('load done');
    expect(stats.acknowledged).toHaveLength(stats.planned);
    await expectTimelinesToConverge(running.timelineBase, stats.acknowledged);
    for (const service of Object.values(running.services)) {
      expect(service.unexpectedExits).toEqual([]);
    }
    process.stderr.write(
      `timeline SIGKILL scenario: ${String(stats.planned)} writes, ${String(Date.now() - started)} ms\n`,
    );
  });
});
