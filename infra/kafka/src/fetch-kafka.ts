import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { KAFKA_VERSION } from './kafka-version.ts';
import { DEFAULT_CACHE_DIR, KAFKA_INFRA_DIR } from './paths.ts';

export interface FetchKafkaOptions {
  version?: string;
  cacheDir?: string;
  /** Progress lines for a person watching. */
  log?: (line: string) => void;
}

/** The folder of broker jars of one version (`<cache>/<version>/libs`). */
export function kafkaLibsDir(version: string = KAFKA_VERSION, cacheDir: string = DEFAULT_CACHE_DIR): string {
  return join(cacheDir, version, 'libs');
}

function hasBrokerJar(libs: string, version: string): boolean {
  return existsSync(libs) && readdirSync(libs).includes(`kafka_2.13-${version}.jar`);
}

/**
 * Fetches the Kafka broker and its runtime dependencies from Maven Central with
 * `mvn dependency:copy-dependencies`, unless the cache already has them. Returns the libs folder.
 */
export async function fetchKafka({
  version = KAFKA_VERSION,
  cacheDir = DEFAULT_CACHE_DIR,
  log = () => {},
}: FetchKafkaOptions = {}): Promise<string> {
  const libs = kafkaLibsDir(version, cacheDir);
  if (hasBrokerJar(libs, version)) {
    return libs;
  }
  log(`Fetching Apache Kafka ${version} from Maven Central into ${libs}…`);
  await new Promise<void>((resolve, reject) => {
    const mvn = spawn(
      'mvn',
      ['-q', '-B', 'dependency:copy-dependencies', `-Dkafka.version=${version}`, `-DoutputDirectory=${libs}`],
      { cwd: KAFKA_INFRA_DIR, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    mvn.once('error', (error) =>
      reject(new Error(`could not run mvn (Apache Maven is needed to fetch Kafka): ${error.message}`)),
    );
    mvn.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`mvn dependency:copy-dependencies failed with exit code ${String(code)}`)),
    );
  });
  if (!hasBrokerJar(libs, version)) {
    throw new Error(`kafka_2.13-${version}.jar missing from ${libs} after mvn`);
  }
  return libs;
}
