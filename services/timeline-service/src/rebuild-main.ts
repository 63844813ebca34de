/**
 * `npm run timeline:rebuild -- [--data-dir DIR | --schema NAME] [--force]`: replays the intake
 * topics into a fresh timeline store and prints progress. Point the service at the new store
 * (DATA_DIR or DATABASE_SCHEMA) to switch over. Settings as the service's (KAFKA_BROKERS,
 * DATABASE_URL, TOPIC_*).
 */
import { parseArgs } from 'node:util';
import { openDatabase } from '@oncoimg/store';
import { ConfigError, readTimelineConfig } from './config.ts';
import { describeProgress } from './rebuild-progress.ts';
import { rebuildTimelines } from './rebuild.ts';

/** Progress lines at most this often: readable in a terminal and in CI logs. */
const PROGRESS_EVERY_MS = 1_000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      schema: { type: 'string' },
      force: { type: 'boolean', default: false },
    },
  });
  const stamp = new Date()
    .toISOString()
    .replace(/[-:T.Z]/g, '')
    .slice(0, 14);
  const config = readTimelineConfig({
    ...process.env,
    DATA_DIR: values['data-dir'] ?? `${process.env.DATA_DIR ?? '.data/timeline-service'}-rebuild-${stamp}`,
    DATABASE_SCHEMA: values.schema ?? `timeline_rebuild_${stamp}`,
  });
  const target = config.databaseUrl ? `schema ${config.schema}` : `PGlite folder ${config.dataDir}`;
  process.stdout.write(`Rebuilding timelines into ${target} from ${config.brokers.join(',')}\n`);
  const db = await openDatabase({
    url: config.databaseUrl,
    dataDir: config.databaseUrl ? undefined : config.dataDir,
    schema: config.schema,
    applicationName: 'timeline-rebuild',
  });
  let lastPrint = 0;
  try {
    const result = await rebuildTimelines({
      db,
      brokers: config.brokers,
      topics: config.topics,
      groupId: config.groupId,
      // The live service's settings: other settings would give other timelines.
      timelineOptions: {
        baselineWindowDays: config.baselineWindowDays,
        confirmationDays: config.confirmationDays,
      },
      allowNonEmpty: values.force,
      onProgress: (progress) => {
        const finished =
          progress.phase === 'writing' &&
          progress.patients >= progress.patientsTotal &&
          progress.patientsTotal > 0;
        if (progress.elapsedMs - lastPrint < PROGRESS_EVERY_MS && !finished) {
          return;
        }
        lastPrint = progress.elapsedMs;
        process.stdout.write(`  ${describeProgress(progress)}\n`);
      },
    });
    const skipped =
      result.undecodable > 0
        ? ` ${String(result.undecodable)} undecodable events left out (dead letters).`
        : '';
    process.stdout.write(
      `Done: ${String(result.events)} events, ${String(result.patients)} patients in ${(result.elapsedMs / 1000).toFixed(1)} s.${skipped} ` +
        `Start the service with ${config.databaseUrl ? `DATABASE_SCHEMA=${config.schema}` : `DATA_DIR=${config.dataDir}`} to use it.\n`,
    );
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `rebuild failed: ${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
