import { afterAll, afterEach, beforeAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import { loadWithFault, startFaultSystem, type FaultSystem } from './support/fault-system.ts';
import {
  postgresBinDirForTests,
  startPostgresInstance,
  type PostgresInstance,
} from './support/postgres-instance.ts';
import { expectTimelinesToConverge } from './support/timeline-check.ts';

const bin = postgresBinDirForTests();

/** Long enough for every service to notice, short enough that the load is still running. */
const OUTAGE_MS = 5_000;

/**
 * PostgreSQL crashes (`pg_ctl stop -m immediate`) under the load and comes back 5 s later. A
 * service must answer 503 meanwhile (never drop a request without an answer), stay up, and
 * recover by itself; at the end every acknowledged write is on its timeline, once.
 */
describe.skipIf(bin === undefined)('PostgreSQL stopped (immediate) during the load', () => {
  let server: PostgresInstance;
  let system: FaultSystem | undefined;

  beforeAll(async () => {
    server = await startPostgresInstance(bin!);
  });
  afterEach(async () => {
    await system?.stop();
    system = undefined;
  });
  afterAll(async () => {
    await server.destroy();
  });

  it('keeps every service up, answers 503 during the outage, and loses nothing', async () => {
    const started = Date.now();
    system = await startFaultSystem({ brokers: inject('kafkaBrokers'), databaseUrl: server.url });
    const running = system;
    onTestFailed(async () => {
      process.stderr.write(`${running.output()}\n--- PostgreSQL log\n${await server.log()}\n`);
    });
    const stats = await loadWithFault(running, {
      afterShare: 0.3,
      inject: async () => {
        await server.stop({ mode: 'immediate' });
        await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
        await server.start();
      },
    });

    for (const service of Object.values(running.services)) {
      expect(service.unexpectedExits, `${service.name} exited`).toEqual([]);
      expect(service.running, `${service.name} is running`).toBe(true);
    }
    expect(stats.noAnswer, 'requests that got no HTTP answer').toBe(0);
    expect(stats.refused, 'requests answered 503 during the outage').toBeGreaterThan(0);
    expect(stats.acknowledged).toHaveLength(stats.planned);
    await expectTimelinesToConverge(running.timelineBase, stats.acknowledged);
    process.stderr.write(
      `PostgreSQL outage scenario: ${String(stats.planned)} writes, ${String(stats.refused)} answered 503, ${String(Date.now() - started)} ms\n`,
    );
  });
});
