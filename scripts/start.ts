/**
 * `npm start`: the whole system on embedded defaults. Brings up the local Kafka broker (unless
 * KAFKA_BROKERS is set), starts the five services on PGlite (unless DATABASE_URL is set), loads
 * the demo cohort (unless DEMO_DATA=0) and prints the URLs. A service that exits unexpectedly is
 * started again with backoff (scripts/supervisor.ts); Ctrl-C stops everything.
 *
 * Flags: `--reset` deletes the services' data folders first (a second run otherwise reuses them).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  PRINCIPALS,
  runningBrokerPid,
  SASL_MECHANISM,
  startKafkaBroker,
  type BrokerCredentials,
  type Principal,
} from '@oncoimg/kafka-local';
import { loadDemoCohort } from './demo-cohort.ts';
import { supervise, type SupervisedProcess } from './supervisor.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dataRoot = join(root, '.data');

interface ServiceSpec {
  name: string;
  workspace: string;
  port: number;
  /** Addresses the banner prints: each answers GET (the FHIR bases answer only below them). */
  paths: string[];
}

/** The embedded OpenID provider; started first, unless OIDC_ISSUER names another one. */
const AUTH_SERVER: ServiceSpec = {
  name: 'auth-server',
  workspace: 'services/auth-server',
  port: 8085,
  paths: ['/.well-known/openid-configuration'],
};
const EMBEDDED_ISSUER = `http://127.0.0.1:${String(AUTH_SERVER.port)}`;

const SERVICES: readonly ServiceSpec[] = [
  { name: 'order-service', workspace: 'services/order-service', port: 8081, paths: ['/fhir/metadata'] },
  { name: 'study-service', workspace: 'services/study-service', port: 8082, paths: ['/fhir/metadata'] },
  { name: 'report-service', workspace: 'services/report-service', port: 8083, paths: ['/fhir/metadata'] },
  { name: 'timeline-service', workspace: 'services/timeline-service', port: 8080, paths: ['/', '/api'] },
  {
    name: 'subscription-service',
    workspace: 'services/subscription-service',
    port: 8084,
    paths: ['/fhir/metadata'],
  },
];

/**
 * Rest-hook endpoints the local subscription service may POST to: receivers on this machine (the
 * CLI's `oncoimg subscribe`, the example receiver), unless SUBSCRIPTION_ENDPOINT_ALLOW_LIST is set.
 */
const LOCAL_ENDPOINTS = 'http://127.0.0.1:*,http://localhost:*';

/** Starting PGlite, migrating and joining the consumer group takes a few seconds on a small machine. */
const READY_TIMEOUT_MS = 120_000;
/** A service that exits this often before it is first ready is broken (bad settings), not unlucky. */
const MAX_EXITS_BEFORE_READY = 3;
/** A stopping service flushes its outbox for up to 5 s; past this it is killed. */
const STOP_TIMEOUT_MS = 15_000;

function say(message: string): void {
  process.stdout.write(`${message}\n`);
}

async function waitUntilReady(
  spec: ServiceSpec,
  supervised: SupervisedProcess,
  { maxExits = Number.POSITIVE_INFINITY } = {},
): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const exitsBefore = supervised.restarts();
  while (Date.now() < deadline) {
    if (supervised.restarts() - exitsBefore >= maxExits) {
      throw new Error(`${spec.name} exited ${String(maxExits)} times before it was ready`);
    }
    try {
      const res = await fetch(`http://127.0.0.1:${String(spec.port)}/readyz`);
      if (res.ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(
    `${spec.name} was not ready on port ${String(spec.port)} after ${String(READY_TIMEOUT_MS / 1000)} s`,
  );
}

const webRoot = join(root, 'services/timeline-service/dist/web');

/** A fresh clone has no built page; building it takes a second and needs no network. */
function ensureWebPageBuilt(): void {
  if (existsSync(join(webRoot, 'index.html'))) {
    return;
  }
  say('Building the web page (first run)…');
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      'services/timeline-service/web/vite.config.ts',
      '--logLevel',
      'warn',
    ],
    { cwd: root, stdio: 'inherit' },
  );
}

/**
 * `--reset` starts from nothing: the services' stores and the local broker's topics go together,
 * or the timeline would replay the old topics into its new store. A broker this script does not
 * own (KAFKA_BROKERS, or one already running) keeps its topics; the user is told.
 */
async function resetData(): Promise<void> {
  const brokerOwnedHere =
    !process.env.KAFKA_BROKERS && (await runningBrokerPid(join(dataRoot, 'kafka'))) === null;
  const folders = SERVICES.map((spec) => join(dataRoot, spec.name));
  if (brokerOwnedHere) {
    folders.push(join(dataRoot, 'kafka'));
  }
  say(
    `Resetting: deleting ${brokerOwnedHere ? 'the services’ data and the local broker’s topics' : 'the services’ data'}…`,
  );
  if (!brokerOwnedHere) {
    say('  the Kafka broker is running or external: its topics are kept and will be consumed again');
  }
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
}

/** KAFKA_SASL_* of the service's own principal on the local broker (the password never printed). */
function principalSettings(
  credentials: BrokerCredentials | undefined,
  service: string,
): Record<string, string> {
  const principal = PRINCIPALS.find((name): name is Principal => name === service);
  if (credentials === undefined || principal === undefined) {
    return {};
  }
  const { username, password } = credentials.principals[principal];
  return {
    KAFKA_SASL_MECHANISM: SASL_MECHANISM,
    KAFKA_SASL_USERNAME: username,
    KAFKA_SASL_PASSWORD: password,
  };
}

async function main(): Promise<void> {
  const reset = process.argv.includes('--reset');
  if (reset) {
    await resetData();
  }
  const children: { spec: ServiceSpec; supervised: SupervisedProcess }[] = [];
  let stopBroker: (() => Promise<void>) | undefined;
  let stopping = false;

  const stopAll = async (code: number): Promise<never> => {
    if (stopping) {
      // A second Ctrl-C: no more waiting, but no service left running in its own process group.
      for (const { supervised } of children) {
        supervised.current()?.kill('SIGKILL');
      }
      process.exit(code);
    }
    stopping = true;
    say('\nStopping services…');
    await Promise.all(children.map(({ supervised }) => supervised.stop({ killAfterMs: STOP_TIMEOUT_MS })));
    const restarts = children.reduce((sum, { supervised }) => sum + supervised.restarts(), 0);
    if (restarts > 0) {
      say(`Services restarted during this run: ${String(restarts)}`);
    }
    if (stopBroker) {
      say('Stopping the local Kafka broker…');
      await stopBroker();
    }
    say('Stopped.');
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  // The services are in their own process groups (below): closing the terminal stops them here.
  process.on('SIGHUP', () => void stopAll(0));
  try {
    await startEverything();
  } catch (error) {
    process.stderr.write(`npm start failed: ${error instanceof Error ? error.message : String(error)}\n`);
    await stopAll(1);
  }

  async function startEverything(): Promise<void> {
    ensureWebPageBuilt();

    let brokers = process.env.KAFKA_BROKERS;
    // A broker this script started allows 3 s sessions (infra/kafka): the timeline consumer then
    // resumes within about 4 s of a broker restart. Any other broker keeps Kafka's 6 s minimum.
    let timelineSession: Record<string, string> = {};
    // The local broker's credentials: each service signs in as its own principal. With
    // KAFKA_BROKERS, the services take the KAFKA_SASL_* settings of this environment instead.
    let credentials: BrokerCredentials | undefined;
    if (brokers) {
      say(`Kafka: using KAFKA_BROKERS=${brokers}`);
    } else {
      say('Kafka: starting the local broker (first run downloads it from Maven Central)…');
      const broker = await startKafkaBroker({ dataDir: join(dataRoot, 'kafka'), log: say });
      brokers = broker.brokers;
      credentials = broker.credentials;
      if (broker.startedByUs) {
        stopBroker = () => broker.stop();
        timelineSession = { KAFKA_SESSION_TIMEOUT_MS: process.env.KAFKA_SESSION_TIMEOUT_MS ?? '4000' };
      }
      say(`Kafka: ${brokers}${broker.startedByUs ? '' : ' (already running, left running on exit)'}`);
    }
    say(process.env.DATABASE_URL ? 'Database: DATABASE_URL' : `Database: PGlite in ${dataRoot}/<service>`);

    // Every service checks tokens against one provider: a hospital's (OIDC_ISSUER), else the embedded one.
    const embeddedAuth = !process.env.OIDC_ISSUER?.trim();
    const issuer = process.env.OIDC_ISSUER?.trim() || EMBEDDED_ISSUER;
    if (embeddedAuth) {
      const auth = startSupervised(AUTH_SERVER, { DATA_DIR: join(dataRoot, AUTH_SERVER.name) });
      await waitUntilReady(AUTH_SERVER, auth, { maxExits: MAX_EXITS_BEFORE_READY });
      say(
        `Access: the embedded authorization server ${issuer} (development clients and users: docs/security.md)`,
      );
    } else {
      say(`Access: tokens of OIDC_ISSUER=${issuer}`);
    }
    const started = SERVICES.map((spec) => ({
      spec,
      supervised: startSupervised(spec, {
        KAFKA_BROKERS: brokers,
        ...principalSettings(credentials, spec.name),
        OIDC_ISSUER: issuer,
        ...(spec.name === 'timeline-service' ? { WEB_ROOT: webRoot, ...timelineSession } : {}),
        ...(spec.name === 'subscription-service'
          ? {
              ...timelineSession,
              SUBSCRIPTION_ENDPOINT_ALLOW_LIST:
                process.env.SUBSCRIPTION_ENDPOINT_ALLOW_LIST ?? LOCAL_ENDPOINTS,
            }
          : {}),
      }),
    }));
    for (const { spec, supervised } of started) {
      await waitUntilReady(spec, supervised, { maxExits: MAX_EXITS_BEFORE_READY });
      say(`  ${spec.name} ready`);
    }

    if (process.env.DEMO_DATA !== '0' && !embeddedAuth) {
      say('Demo data: skipped (it signs in as the embedded server’s demo-loader; DEMO_DATA=0 silences this)');
    } else if (process.env.DEMO_DATA !== '0') {
      await loadDemoCohort({
        orderBase: 'http://127.0.0.1:8081/fhir',
        studyBase: 'http://127.0.0.1:8082/fhir',
        reportBase: 'http://127.0.0.1:8083/fhir',
        issuer,
        authDataDir: join(dataRoot, AUTH_SERVER.name),
        progress: say,
      });
    }

    say('\nRunning. Open:');
    for (const { spec } of children) {
      for (const path of spec.paths) {
        say(`  ${spec.name.padEnd(16)} http://127.0.0.1:${String(spec.port)}${path}`);
      }
    }
    say('  DICOM upload: POST application/dicom to http://127.0.0.1:8082/dicom/studies');
    say('Every API needs a bearer token, for example:');
    say(
      `  curl -H "Authorization: Bearer $(npm run -s oncoimg -- token --scope 'system/*.rs')" http://127.0.0.1:8081/fhir/ServiceRequest`,
    );
    say('Press Ctrl-C to stop.');
  }

  /** Starts one service in its own process group, started again when it exits unasked. */
  function startSupervised(spec: ServiceSpec, env: Record<string, string>): SupervisedProcess {
    say(`Starting ${spec.name} on port ${String(spec.port)}…`);
    const supervised = supervise({
      name: spec.name,
      log: say,
      spawn: () =>
        spawn(process.execPath, [...process.execArgv, join(root, spec.workspace, 'src/main.ts')], {
          cwd: root,
          stdio: ['ignore', 'inherit', 'inherit'],
          // Its own process group: Ctrl-C reaches only this script, which stops each service
          // with one SIGTERM. A second signal (the terminal's SIGINT, then ours) would make the
          // service exit at once, skipping its outbox flush and database close.
          detached: true,
          env: {
            ...process.env,
            PORT: String(spec.port),
            DATA_DIR: join(dataRoot, spec.name),
            LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
            ...env,
          },
        }),
      onRestart: () => {
        void waitUntilReady(spec, supervised).then(
          () => say(`${spec.name} is back (restart ${String(supervised.restarts())})`),
          (error: unknown) => say(`${spec.name}: ${error instanceof Error ? error.message : String(error)}`),
        );
      },
    });
    children.push({ spec, supervised });
    return supervised;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`npm start failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
