import { randomBytes } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The one SASL mechanism the local broker offers its clients. */
export const SASL_MECHANISM = 'SCRAM-SHA-512';

/**
 * The principals of the local broker: `admin` is the super user (the broker itself, topic
 * creation by tests and tools), one per service, and `tools` for the operator CLI and kcat.
 */
export const PRINCIPALS = [
  'admin',
  'order-service',
  'study-service',
  'report-service',
  'timeline-service',
  'subscription-service',
  'tools',
] as const;

export type Principal = (typeof PRINCIPALS)[number];

export interface PrincipalCredentials {
  username: string;
  password: string;
}

export interface BrokerCredentials {
  mechanism: typeof SASL_MECHANISM;
  principals: Record<Principal, PrincipalCredentials>;
}

/**
 * A credentials file as found: a store formatted by an older version lacks the principals added
 * since (completeCredentials gives them passwords; the broker start creates them, see scram-users.ts).
 */
export interface StoredCredentials {
  mechanism: typeof SASL_MECHANISM;
  principals: Partial<Record<Principal, PrincipalCredentials>> &
    Pick<BrokerCredentials['principals'], 'admin'>;
}

/** Generated passwords and the formatted store live together: a new store gets new passwords. */
export const CREDENTIALS_FILE = 'credentials.json';

export function credentialsPath(dataDir: string): string {
  return join(dataDir, CREDENTIALS_FILE);
}

function newPassword(): string {
  // base64url only: no character the storage tool's `[name=…,password=…]` syntax would split on.
  return randomBytes(24).toString('base64url');
}

export function generateCredentials(): BrokerCredentials {
  const principals = Object.fromEntries(
    PRINCIPALS.map((name) => [name, { username: name, password: newPassword() }]),
  ) as Record<Principal, PrincipalCredentials>;
  return { mechanism: SASL_MECHANISM, principals };
}

/**
 * The credentials of the broker formatted in `dataDir`, or null when there are none (or no admin).
 * Principals a later version added may be missing: only the broker start completes the file.
 */
export async function readBrokerCredentials(dataDir: string): Promise<StoredCredentials | null> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(credentialsPath(dataDir), 'utf8'));
  } catch {
    return null;
  }
  const candidate = parsed as {
    mechanism?: unknown;
    principals?: Partial<Record<string, Partial<PrincipalCredentials>>>;
  } | null;
  const principals = candidate?.principals;
  if (candidate?.mechanism !== SASL_MECHANISM || typeof principals !== 'object') {
    return null;
  }
  const valid = (name: string) =>
    typeof principals[name]?.username === 'string' && typeof principals[name].password === 'string';
  if (!valid('admin')) {
    return null;
  }
  const known = Object.fromEntries(PRINCIPALS.filter(valid).map((name) => [name, principals[name]]));
  return { mechanism: SASL_MECHANISM, principals: known as StoredCredentials['principals'] };
}

/** Gives every principal missing from `stored` a new password; `added` names them. */
export function completeCredentials(stored: StoredCredentials): {
  credentials: BrokerCredentials;
  added: Principal[];
} {
  const added = PRINCIPALS.filter((name) => stored.principals[name] === undefined);
  const principals = {
    ...stored.principals,
    ...Object.fromEntries(added.map((name) => [name, { username: name, password: newPassword() }])),
  } as BrokerCredentials['principals'];
  return { credentials: { mechanism: SASL_MECHANISM, principals }, added };
}

/** Owner-only (0600): the file holds every principal's password. */
export async function writeBrokerCredentials(dataDir: string, credentials: BrokerCredentials): Promise<void> {
  const file = credentialsPath(dataDir);
  await writeFile(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
}

/** The storage tool's `--add-scram` arguments that create every principal at format time. */
export function addScramArguments(credentials: BrokerCredentials): string[] {
  return Object.values(credentials.principals).flatMap(({ username, password }) => [
    '--add-scram',
    `${SASL_MECHANISM}=[name=${username},password=${password}]`,
  ]);
}
