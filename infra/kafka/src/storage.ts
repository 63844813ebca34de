import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  addScramArguments,
  completeCredentials,
  generateCredentials,
  readBrokerCredentials,
  writeBrokerCredentials,
  type BrokerCredentials,
} from './credentials.ts';
import { LOG4J2_CONFIG, propertiesFor } from './server-properties.ts';

export const LOG_FILE = 'broker.log';

export async function tailOfLog(dataDir: string, lines = 15): Promise<string> {
  try {
    return (await readFile(join(dataDir, LOG_FILE), 'utf8')).split('\n').slice(-lines).join('\n');
  } catch {
    return '(no broker log)';
  }
}

function newClusterId(): string {
  // A cluster id starting with '-' reads as an option on the storage tool's command line (1 in 64
  // random ids): Kafka's own Uuid.randomUuid() draws again in that case, and so does this.
  let clusterId = randomBytes(16).toString('base64url');
  while (clusterId.startsWith('-')) {
    clusterId = randomBytes(16).toString('base64url');
  }
  return clusterId;
}

/** Formats KRaft storage with every principal's SCRAM credentials in its bootstrap metadata. */
async function formatStorage(
  libs: string,
  dataDir: string,
  propertiesFile: string,
  credentials: BrokerCredentials,
): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const out = openSync(join(dataDir, LOG_FILE), 'a');
    const format = spawn(
      'java',
      [
        '-cp',
        `${libs}/*`,
        `-Dlog4j2.configurationFile=${join(dataDir, 'log4j2.xml')}`,
        'kafka.tools.StorageTool',
        'format',
        '-t',
        newClusterId(),
        '-c',
        propertiesFile,
        ...addScramArguments(credentials),
      ],
      { stdio: ['ignore', out, out] },
    );
    format.once('error', (error) =>
      reject(new Error(`could not run java (Java 17+ is needed): ${error.message}`)),
    );
    format.once('exit', (code) => {
      closeSync(out);
      if (code === 0) {
        resolve();
      } else {
        void tailOfLog(dataDir).then((tail) => {
          reject(new Error(`Kafka storage format failed with exit code ${String(code)}:\n${tail}`));
        });
      }
    });
  });
}

/**
 * Writes server.properties and formats the KRaft store once, with passwords generated for it; a
 * formatted folder keeps its cluster id, data and passwords across restarts. A store formatted
 * before the broker required credentials (none in credentials.json) is moved aside, not deleted.
 */
export async function prepareStorage({
  libs,
  dataDir,
  port,
  controllerPort,
  log,
}: {
  libs: string;
  dataDir: string;
  port: number;
  controllerPort: number;
  log: (line: string) => void;
}): Promise<{ credentials: BrokerCredentials; propertiesFile: string }> {
  await mkdir(dataDir, { recursive: true });
  const logDirs = join(dataDir, 'logs');
  const stored = await readBrokerCredentials(dataDir);
  let formatted = existsSync(join(logDirs, 'meta.properties'));
  if (formatted && stored === null) {
    const aside = `${logDirs}.before-sasl-${String(Date.now())}`;
    await rename(logDirs, aside);
    log(`Kafka: the store in ${logDirs} has no SCRAM credentials; moved to ${aside}, formatting a new one`);
    formatted = false;
  }
  let credentials: BrokerCredentials;
  if (!formatted || stored === null) {
    credentials = generateCredentials();
    await writeBrokerCredentials(dataDir, credentials);
  } else {
    // Principals added by a later version get passwords now; the started broker creates them.
    const completed = completeCredentials(stored);
    credentials = completed.credentials;
    if (completed.added.length > 0) {
      await writeBrokerCredentials(dataDir, credentials);
      log(
        `Kafka: new principals ${completed.added.join(', ')} added to ${join(dataDir, 'credentials.json')}`,
      );
    }
  }
  const propertiesFile = join(dataDir, 'server.properties');
  await writeFile(
    propertiesFile,
    propertiesFor({ port, controllerPort, logDirs, admin: credentials.principals.admin }),
    { mode: 0o600 },
  );
  await chmod(propertiesFile, 0o600);
  await writeFile(join(dataDir, 'log4j2.xml'), LOG4J2_CONFIG);
  if (!formatted) {
    await formatStorage(libs, dataDir, propertiesFile, credentials);
  }
  return { credentials, propertiesFile };
}
