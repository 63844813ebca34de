/**
 * A service run the way it is deployed: its own Node process (`scripts/node.sh …/main.ts`),
 * configured only by environment variables, so a test can SIGKILL it and start it again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.ts';
import { authFetch, testAuthEnv } from '@oncoimg/testing';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export type ServiceName = 'order-service' | 'study-service' | 'report-service' | 'timeline-service';

/** A cold start loads TypeScript, opens the store and (timeline) joins its consumer group. */
const READY_TIMEOUT_MS = 90_000;
/** SIGTERM gets this long to stop a service cleanly before SIGKILL. */
const STOP_GRACE_MS = 15_000;
/** Enough of each child's output to explain a failure without holding a whole log in memory. */
const OUTPUT_LIMIT_CHARS = 200_000;
/** The environment of the test run that must not leak into a child: it gets its settings from us. */
const INHERITED_SETTINGS =
  /^(DATABASE_URL|DATABASE_SCHEMA|DATA_DIR|KAFKA_.*|TOPIC_.*|OIDC_.*|PORT|HOST|WEB_ROOT|NODE_OPTIONS|VITEST.*)$/;

export interface ServiceProcess {
  readonly name: ServiceName;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  /** True while the current process runs; false after it exited (killed by us or not). */
  readonly running: boolean;
  /** Exits we did not ask for, with their code or signal. */
  readonly unexpectedExits: readonly string[];
  /**
   * Starts the process (again, with the same environment) and waits until it answers `/readyz`
   * with 200 (`until: 'ready'`, the default) or only `/healthz` (`until: 'healthy'`).
   */
  start(options?: { until?: 'healthy' | 'ready' }): Promise<void>;
  /** Waits until `/readyz` answers 200. */
  waitReady(timeoutMs?: number): Promise<void>;
  /** Sends `signal` and waits for the process to be gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Stdout and stderr of every run so far, for a failing test to print. */
  output(): string;
}

export interface SpawnServiceOptions {
  name: ServiceName;
  /** The service's settings (KAFKA_BROKERS, DATABASE_URL or DATA_DIR, TOPIC_*, …); PORT is ours. */
  env: Record<string, string>;
}

/** Prepares a service process on a free port; call `start()` to run it. */
export async function spawnService({ name, env }: SpawnServiceOptions): Promise<ServiceProcess> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${String(port)}`;
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !INHERITED_SETTINGS.test(key)),
  );
  // The test process's issuer: the same one whose tokens authFetch sends.
  const auth = await testAuthEnv();
  const childEnv = {
    ...inherited,
    LOG_LEVEL: 'info',
    ...auth,
    ...env,
    PORT: String(port),
    HOST: '127.0.0.1',
  };
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let expectingExit = false;
  let output = '';
  const unexpectedExits: string[] = [];
  const append = (chunk: Buffer | string): void => {
    output += chunk.toString();
    if (output.length > OUTPUT_LIMIT_CHARS) {
      output = output.slice(-OUTPUT_LIMIT_CHARS);
    }
  };

  const service: ServiceProcess = {
    name,
    port,
    baseUrl,
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    unexpectedExits,
    async start({ until = 'ready' } = {}) {
      if (service.running) {
        throw new Error(`${name} is already running`);
      }
      append(`--- ${name} starting on ${baseUrl}\n`);
      expectingExit = false;
      // node.sh ends in `exec node`, so the pid is the service itself and a signal reaches it.
      const started = spawn('sh', ['scripts/node.sh', `services/${name}/src/main.ts`], {
        cwd: REPO_ROOT,
        env: childEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = started;
      started.stdout.on('data', append);
      started.stderr.on('data', append);
      // A child killed by a signal has exitCode null: listen for 'exit' itself, never poll the code.
      exited = new Promise((resolve) => {
        started.once('exit', (code, signal) => {
          const how = signal ?? `code ${String(code)}`;
          append(`--- ${name} exited (${how})\n`);
          if (!expectingExit) {
            unexpectedExits.push(how);
          }
          resolve();
        });
      });
      await waitFor(service, until === 'ready' ? '/readyz' : '/healthz', READY_TIMEOUT_MS, () => exited);
    },
    waitReady: (timeoutMs = READY_TIMEOUT_MS) => waitFor(service, '/readyz', timeoutMs, () => exited),
    async kill(signal = 'SIGKILL') {
      if (!child || !service.running) {
        return;
      }
      expectingExit = true;
      const target = child;
      target.kill(signal);
      // A graceful stop that hangs must not hang the test: SIGKILL it after a grace period.
      const escalate = setTimeout(() => target.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(escalate);
    },
    output: () => output,
  };
  return service;
}

async function waitFor(
  service: ServiceProcess,
  path: '/healthz' | '/readyz',
  timeoutMs: number,
  exited: () => Promise<void>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const state = { gone: false };
  void exited().then(() => {
    state.gone = true;
  });
  let last = 'no answer';
  for (;;) {
    if (state.gone) {
      throw new Error(`${service.name} exited during start-up:\n${service.output()}`);
    }
    try {
      const res = await authFetch(`${service.baseUrl}${path}`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) {
        return;
      }
      last = `${String(res.status)} ${(await res.text()).slice(0, 500)}`;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${service.name} did not answer ${path} with 200 within ${String(timeoutMs / 1000)} s (last: ${last}):\n${service.output()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
