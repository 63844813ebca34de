/**
 * A private PostgreSQL server for tests that stop and restart it, built from Debian's binaries
 * (`/usr/lib/postgresql/<version>/bin`). The shared server the other tests use is never touched.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.ts';

const run = promisify(execFile);

const DEBIAN_POSTGRES_ROOT = '/usr/lib/postgresql';
/** initdb and a cold start take a few seconds; a loaded 2-core machine may need several times that. */
const PG_CTL_TIMEOUT_S = 60;

export interface PostgresInstance {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust auth). */
  readonly url: string;
  readonly port: number;
  /** `immediate` is a crash as far as clients are concerned: connections drop, no checkpoint. */
  stop(options?: { mode?: 'fast' | 'immediate' }): Promise<void>;
  start(): Promise<void>;
  /** Stops the server if it runs and deletes its files. */
  destroy(): Promise<void>;
  /** The server's log, for a failing test to print. */
  log(): Promise<string>;
}

/** The newest `bin` folder of Debian's PostgreSQL server packages that has initdb and pg_ctl. */
export function postgresBinDir(): string | undefined {
  if (!existsSync(DEBIAN_POSTGRES_ROOT)) {
    return undefined;
  }
  const versions = readdirSync(DEBIAN_POSTGRES_ROOT)
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  return versions
    .map((version) => join(DEBIAN_POSTGRES_ROOT, version, 'bin'))
    .find((bin) => existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl')));
}

/**
 * The binaries for a test that needs a private server. In CI their absence is a failure that
 * names the package to install; elsewhere the test is skipped with one line on stderr.
 */
export function postgresBinDirForTests(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const bin = postgresBinDir();
  if (bin !== undefined) {
    return bin;
  }
  const problem = `PostgreSQL server binaries (initdb, pg_ctl) not found under ${DEBIAN_POSTGRES_ROOT}/*/bin`;
  if (env.CI === 'true') {
    throw new Error(`${problem}: install the Debian package \`postgresql\``);
  }
  process.stderr.write(`skipping: ${problem} (Debian package \`postgresql\`)\n`);
  return undefined;
}

/**
 * initdb refuses to run as root, so as root every binary runs as the `postgres` user, in a
 * folder that user owns.
 */
async function asServerUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) {
    return undefined;
  }
  const passwd = await readFile('/etc/passwd', 'utf8');
  const entry = passwd.split('\n').find((line) => line.startsWith('postgres:'));
  if (!entry) {
    throw new Error('running as root, but there is no `postgres` user to run PostgreSQL as');
  }
  const [, , uid, gid] = entry.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Creates, configures and starts a fresh server on a free port of 127.0.0.1. */
export async function startPostgresInstance(bin: string): Promise<PostgresInstance> {
  const owner = await asServerUser();
  const root = await mkdtemp(join(tmpdir(), 'oncoimg-pg-'));
  if (owner) {
    await chown(root, owner.uid, owner.gid);
  }
  const dataDir = join(root, 'data');
  const logFile = join(root, 'server.log');
  const port = await freePort();

  const tool = async (name: string, args: string[]): Promise<void> => {
    const command = join(bin, name);
    try {
      if (owner) {
        await run('runuser', ['-u', 'postgres', '--', command, ...args], { cwd: root });
      } else {
        await run(command, args, { cwd: root });
      }
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? '';
      throw new Error(`${name} ${args.join(' ')} failed: ${stderr || String(error)}`, { cause: error });
    }
  };

  await tool('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  // The socket goes into our own folder, so the server needs nothing of /var/run/postgresql;
  // fsync is off because the tests crash the server, not the machine.
  const serverOptions = `-p ${String(port)} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;
  const start = (): Promise<void> =>
    tool('pg_ctl', [
      '-D',
      dataDir,
      '-l',
      logFile,
      '-o',
      serverOptions,
      '-w',
      '-t',
      String(PG_CTL_TIMEOUT_S),
      'start',
    ]);
  const stop = (mode: 'fast' | 'immediate'): Promise<void> =>
    tool('pg_ctl', ['-D', dataDir, '-m', mode, '-w', '-t', String(PG_CTL_TIMEOUT_S), 'stop']);
  await start();

  let running = true;
  return {
    url: `postgres://postgres@127.0.0.1:${String(port)}/postgres`,
    port,
    async stop({ mode = 'fast' } = {}) {
      await stop(mode);
      running = false;
    },
    async start() {
      await start();
      running = true;
    },
    async destroy() {
      if (running) {
        await stop('immediate').catch(() => undefined);
      }
      running = false;
      await rm(root, { recursive: true, force: true });
    },
    log: () => readFile(logFile, 'utf8').catch(() => '(no server log)'),
  };
}
