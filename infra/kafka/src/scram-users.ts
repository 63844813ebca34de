/**
 * Principals a broker does not know yet (added to PRINCIPALS after its store was formatted) are
 * created on the running broker at start, with the passwords of credentials.json. A principal is
 * created only when it cannot sign in, so this is a no-op on every later start.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BrokerCredentials, Principal } from './credentials.ts';

const ADD_SCRAM_USERS = fileURLToPath(new URL('./AddScramUsers.java', import.meta.url));

export interface EnsureScramUsersOptions {
  brokers: string;
  credentials: BrokerCredentials;
  /** Whether a principal can sign in now (kafkaAnswers with its SASL). */
  signsIn: (principal: Principal) => Promise<boolean>;
  /** The broker jars (their kafka-clients holds the Admin client); fetched only when needed. */
  libs: () => Promise<string>;
  log: (line: string) => void;
}

/** Creates the principals that cannot sign in; resolves with their names. */
export async function ensureScramUsers({
  brokers,
  credentials,
  signsIn,
  libs,
  log,
}: EnsureScramUsersOptions): Promise<Principal[]> {
  const principals = (Object.keys(credentials.principals) as Principal[]).filter((name) => name !== 'admin');
  const missing: Principal[] = [];
  for (const principal of principals) {
    if (!(await signsIn(principal))) {
      missing.push(principal);
    }
  }
  if (missing.length === 0) {
    return [];
  }
  const { admin } = credentials.principals;
  const input = [
    brokers,
    `${admin.username} ${admin.password}`,
    ...missing.map(
      (name) => `${credentials.principals[name].username} ${credentials.principals[name].password}`,
    ),
  ].join('\n');
  const classpath = `${await libs()}/*`;
  await new Promise<void>((resolve, reject) => {
    const child = spawn('java', ['-cp', classpath, ADD_SCRAM_USERS], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.once('error', (error) => {
      reject(new Error(`could not run java (Java 17+ is needed): ${error.message}`));
    });
    child.once('exit', (code) => {
      if (code === 0) {
        resolve();
      } else {
        reject(new Error(`creating Kafka principals ${missing.join(', ')} failed:\n${stderr.slice(-2_000)}`));
      }
    });
    child.stdin.end(input);
  });
  log(`Kafka: principals ${missing.join(', ')} created (SCRAM-SHA-512)`);
  return missing;
}
