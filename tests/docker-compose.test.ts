import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import { KAFKA_VERSION } from '@oncoimg/kafka-local';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// docker compose cannot run on the project's machines (no container engine), so these checks keep
// docker-compose.yml, the Dockerfiles and .dockerignore honest against the operating contract instead.

const root = join(import.meta.dirname, '..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string; args?: Record<string, string | number> };
  ports?: string[];
  environment?: Record<string, string | number>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
}

// Compose resolves YAML merge keys (`<<: *app-environment`); the yaml package does so only when asked.
const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Partial<Record<string, ComposeService>>;
};

function service(name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

function env(name: string, variable: string): string {
  const value = service(name).environment?.[variable];
  if (value === undefined) throw new Error(`${name} does not set ${variable}`);
  return String(value);
}

/** Host port → container port of every published port, whatever host address it binds. */
function published(name: string): Map<number, number> {
  const ports = new Map<number, number>();
  for (const spec of service(name).ports ?? []) {
    const parts = spec.split(':');
    ports.set(Number(parts.at(-2)), Number(parts.at(-1)));
  }
  return ports;
}

/** The operating contract's ports (/work/shared/DESIGN.md, README). */
const APP_PORTS: Record<string, number> = {
  'timeline-service': 8080,
  'order-service': 8081,
  'study-service': 8082,
  'report-service': 8083,
};
const APPS = Object.keys(APP_PORTS);

// ---- Dockerfiles -------------------------------------------------------------------------------

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Build arguments expand where Docker expands them at build time; CMD keeps its `${…}` for the shell. */
const BUILD_TIME_EXPANSION = new Set([
  'FROM',
  'COPY',
  'ADD',
  'ENV',
  'EXPOSE',
  'WORKDIR',
  'USER',
  'LABEL',
  'RUN',
]);

function expand(text: string, values: Record<string, string | number>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => {
    const name = braced ?? bare ?? '';
    return name in values ? String(values[name]) : whole;
  });
}

function parseDockerfile(text: string, args: Record<string, string | number> = {}): Stage[] {
  const stages: Stage[] = [];
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  for (const line of lines) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const written = rest.join(' ');
    const expanded = BUILD_TIME_EXPANSION.has(keyword.toUpperCase()) ? expand(written, args) : written;
    if (keyword.toUpperCase() === 'FROM') {
      const from = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(expanded);
      if (!from) throw new Error(`cannot read FROM ${expanded}`);
      stages.push({ image: from[1], name: from[2], instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`${keyword} before the first FROM`);
      stage.instructions.push({ keyword: keyword.toUpperCase(), args: expanded });
    }
  }
  return stages;
}

function instructions(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

/** COPY sources and destination, with the stage it copies from (undefined: the build context). */
function copies(stage: Stage): { from: string | undefined; sources: string[]; destination: string }[] {
  return instructions(stage, 'COPY').map((args) => {
    const words = args.split(/\s+/);
    const flags = words.filter((w) => w.startsWith('--'));
    const paths = words.filter((w) => !w.startsWith('--'));
    const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
    return { from, sources: paths.slice(0, -1), destination: paths.at(-1) ?? '' };
  });
}

/** `ENV A=1 B=2` of a stage, as the container sees them. */
function environment(stage: Stage): Record<string, string> {
  return Object.fromEntries(
    instructions(stage, 'ENV').flatMap((args) =>
      args.split(/\s+/).map((pair): [string, string] => {
        const [name = '', ...value] = pair.split('=');
        return [name, value.join('=')];
      }),
    ),
  );
}

/** The process the container runs: CMD, through `sh -c "exec …"` with the stage's ENV expanded. */
function command(stage: Stage): string[] {
  const cmd = JSON.parse(instructions(stage, 'CMD').at(-1) ?? 'null') as string[];
  const [shell, flag, script = ''] = cmd;
  if (shell !== 'sh' || flag !== '-c') return cmd;
  expect(script, 'a shell CMD must exec, or node is not PID 1 and misses SIGTERM').toMatch(/^exec /);
  return expand(script.slice('exec '.length), environment(stage)).split(/\s+/);
}

function isPinned(image: string): boolean {
  const tag = /:([^:/@]+)(@sha256:[0-9a-f]{64})?$/.exec(image)?.[1];
  return tag !== undefined && tag !== 'latest' && /\d/.test(tag);
}

// ---- .dockerignore -----------------------------------------------------------------------------

/** Docker's matching, enough for this file: `*`, `?`, `**`, directories exclude their contents, `!` re-includes. */
function dockerignore(text: string): (path: string) => boolean {
  const rules = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const include = line.startsWith('!');
      const pattern = posix.normalize(line.replace(/^!/, '').replace(/^\//, '')).replace(/\/$/, '');
      const source = pattern
        .split('/')
        .map((part) =>
          part === '**'
            ? '.*'
            : part
                .replace(/[.+^${}()|[\]\\]/g, '\\$&')
                .replace(/\*/g, '[^/]*')
                .replace(/\?/g, '[^/]'),
        )
        .join('/')
        .replace(/\.\*\//g, '(?:.*/)?');
      return { include, regex: new RegExp(`^${source}$`) };
    });
  return (path: string) => {
    const parts = path.split('/');
    const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let ignored = false;
    for (const rule of rules) {
      if (prefixes.some((p) => rule.regex.test(p))) ignored = !rule.include;
    }
    return ignored;
  };
}

const ignored = dockerignore(read('.dockerignore'));

// ---- Workspaces --------------------------------------------------------------------------------

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** Workspace package name → directory, for the workspaces an image can contain. */
const workspaceDirs = new Map<string, string>(
  ['packages', 'services'].flatMap((parent) =>
    readdirSync(join(root, parent))
      .filter((dir) => existsSync(join(root, parent, dir, 'package.json')))
      .map((dir): [string, string] => {
        const manifest = JSON.parse(read(`${parent}/${dir}/package.json`)) as Manifest;
        return [manifest.name, `${parent}/${dir}`];
      }),
  ),
);

function manifestOf(dir: string): Manifest {
  return JSON.parse(read(`${dir}/package.json`)) as Manifest;
}

/** The workspace directories a service loads at run time: itself and its production dependencies, transitively. */
function runtimeWorkspaces(serviceDir: string): Set<string> {
  const found = new Set<string>([serviceDir]);
  const queue = [serviceDir];
  for (let dir = queue.pop(); dir !== undefined; dir = queue.pop()) {
    for (const name of Object.keys(manifestOf(dir).dependencies ?? {})) {
      const depDir = workspaceDirs.get(name);
      if (depDir !== undefined && !found.has(depDir)) {
        found.add(depDir);
        queue.push(depDir);
      }
    }
  }
  return found;
}

// ---- compose ------------------------------------------------------------------------------------

describe('docker-compose.yml', () => {
  it('runs Kafka on 127.0.0.1:9092 with the same version as the no-Docker broker, plus a listener for the containers', () => {
    const kafka = service('kafka');
    expect(kafka.image).toBe(`apache/kafka:${KAFKA_VERSION}`);
    expect(published('kafka').get(9092)).toBe(9092);
    expect(env('kafka', 'KAFKA_PROCESS_ROLES')).toBe('broker,controller');
    const advertised = env('kafka', 'KAFKA_ADVERTISED_LISTENERS').split(',');
    expect(advertised).toContain('PLAINTEXT://127.0.0.1:9092');
    const listeners = env('kafka', 'KAFKA_LISTENERS').split(',');
    for (const listener of advertised) {
      const name = listener.split('://')[0];
      const port = listener.split(':').at(-1);
      expect(listeners, listener).toContain(`${name}://:${String(port)}`);
    }
  });

  it('runs PostgreSQL on 5432', () => {
    const postgres = service('postgres');
    expect(postgres.image).toMatch(/^postgres:\d+\.\d+/);
    expect(published('postgres').get(5432)).toBe(5432);
  });

  it('runs every service of the operating contract on its port', () => {
    for (const [name, port] of Object.entries(APP_PORTS)) {
      expect(published(name).get(port), name).toBe(port);
      expect(env(name, 'PORT'), name).toBe(String(port));
      // The services listen on 127.0.0.1 by default, which a published port cannot reach.
      expect(env(name, 'HOST'), name).toBe('0.0.0.0');
    }
  });

  it('points every service at the containers’ Kafka listener and the compose PostgreSQL, each in its own schema', () => {
    const internal = env('kafka', 'KAFKA_ADVERTISED_LISTENERS')
      .split(',')
      .map((listener) => listener.split('://')[1])
      .filter((address) => address.startsWith('kafka:'));
    expect(internal).toHaveLength(1);
    const schemas = new Set<string>();
    for (const name of APPS) {
      expect(env(name, 'KAFKA_BROKERS'), name).toBe(internal[0]);
      const url = new URL(env(name, 'DATABASE_URL'));
      expect(url.protocol, name).toBe('postgres:');
      expect(url.hostname, name).toBe('postgres');
      expect(url.port || '5432', name).toBe('5432');
      expect(decodeURIComponent(url.username), name).toBe(env('postgres', 'POSTGRES_USER'));
      expect(decodeURIComponent(url.password), name).toBe(env('postgres', 'POSTGRES_PASSWORD'));
      expect(url.pathname, name).toBe(`/${env('postgres', 'POSTGRES_DB')}`);
      schemas.add(env(name, 'DATABASE_SCHEMA'));
    }
    expect(schemas.size).toBe(APPS.length);
  });

  it('sends every service’s spans to the collector, which forwards them to Jaeger', () => {
    const collector = parse(read('infra/otel/collector.yaml')) as {
      receivers: { otlp: { protocols: { http: { endpoint: string } } } };
      exporters: Record<string, { endpoint: string }>;
      service: { pipelines: { traces: { receivers: string[]; exporters: string[] } } };
    };
    const receiverPort = collector.receivers.otlp.protocols.http.endpoint.split(':').at(-1);
    for (const name of APPS) {
      expect(env(name, 'OTEL_EXPORTER_OTLP_ENDPOINT'), name).toBe(
        `http://otel-collector:${String(receiverPort)}`,
      );
      expect(env(name, 'OTEL_SERVICE_NAME'), name).toBe(name);
    }
    expect(collector.service.pipelines.traces.receivers).toContain('otlp');
    const targets = collector.service.pipelines.traces.exporters.map((e) => collector.exporters[e].endpoint);
    expect(targets).toContain('jaeger:4317');
    expect(service('jaeger').image).toMatch(/^jaegertracing\/jaeger:2\./);
    expect(published('jaeger').get(16686)).toBe(16686);
  });

  it('starts each service only once what it depends on is healthy', () => {
    for (const name of APPS) {
      const dependsOn = service(name).depends_on ?? {};
      expect(Object.keys(dependsOn), name).toEqual(expect.arrayContaining(['kafka', 'postgres']));
    }
    for (const [name, entry] of Object.entries(compose.services)) {
      for (const [dependency, { condition }] of Object.entries(entry?.depends_on ?? {})) {
        expect(condition, `${name} → ${dependency}`).toBe('service_healthy');
        expect(service(dependency).healthcheck?.test.length, dependency).toBeGreaterThan(0);
      }
    }
  });

  it('checks each service’s readiness on its own port', () => {
    for (const [name, port] of Object.entries(APP_PORTS)) {
      expect(service(name).healthcheck?.test.join(' '), name).toContain(
        `http://127.0.0.1:${String(port)}/readyz`,
      );
    }
  });

  it('restarts a service, the broker or the database that exits, unless it was stopped', () => {
    for (const name of [...APPS, 'kafka', 'postgres']) {
      expect(service(name).restart, name).toBe('unless-stopped');
    }
  });

  it('pins every image, builds the rest from a Dockerfile, and gives every service a healthcheck', () => {
    for (const [name, entry] of Object.entries(compose.services)) {
      if (entry?.image !== undefined) expect(isPinned(entry.image), `${name}: ${entry.image}`).toBe(true);
      else expect(entry?.build?.context, name).toBeDefined();
      expect(entry?.healthcheck?.test.length, name).toBeGreaterThan(0);
    }
  });
});

// ---- Dockerfiles ----------------------------------------------------------------------------------

const builds = Object.entries(compose.services).flatMap(([name, entry]) =>
  entry?.build
    ? [
        {
          name,
          context: entry.build.context,
          dockerfile: posix.join(entry.build.context, entry.build.dockerfile ?? 'Dockerfile'),
          args: entry.build.args ?? {},
        },
      ]
    : [],
);

/** The intake services share one Dockerfile, told apart by build arguments; the timeline has its own. */
const INTAKE_DOCKERFILE = 'services/intake.Dockerfile';

/** The stages of a service's image, its build arguments applied. */
function imageOf(name: string): Stage[] {
  const build = builds.find((b) => b.name === name);
  if (!build) throw new Error(`${name} is not built`);
  return parseDockerfile(read(build.dockerfile), build.args);
}

describe('Dockerfiles', () => {
  it('builds every application service and the collector', () => {
    expect(builds.map((b) => b.name).sort()).toEqual([...APPS, 'otel-collector'].sort());
    for (const name of APPS) {
      const build = builds.find((b) => b.name === name);
      expect(build?.context, name).toBe('.');
      if (name === 'timeline-service') {
        expect(build?.dockerfile, name).toBe(`services/${name}/Dockerfile`);
        expect(build?.args, name).toEqual({});
      } else {
        expect(build?.dockerfile, name).toBe(INTAKE_DOCKERFILE);
        expect(build?.args, name).toEqual({ SERVICE: name, PORT: APP_PORTS[name] });
      }
    }
  });

  it.each(builds)(
    '$name ($dockerfile): multi-stage, pinned bases, non-root, existing sources',
    ({ context, dockerfile, args }) => {
      expect(existsSync(join(root, dockerfile))).toBe(true);
      const stages = parseDockerfile(read(dockerfile), args);
      expect(stages.length).toBeGreaterThanOrEqual(2);
      const stageNames = new Set(stages.map((s) => s.name));
      for (const { image } of stages) {
        if (!stageNames.has(image)) expect(isPinned(image), image).toBe(true);
      }
      const final = stages.at(-1);
      if (!final) throw new Error('no stage');
      const user = instructions(final, 'USER').at(-1);
      expect(user).toBeDefined();
      expect(user?.split(':')[0]).not.toMatch(/^(root|0)$/);
      expect(instructions(final, 'HEALTHCHECK')).toHaveLength(1);
      for (const stage of stages) {
        for (const { from, sources } of copies(stage)) {
          if (from !== undefined) {
            expect(stageNames.has(from) || isPinned(from), `--from=${from}`).toBe(true);
            continue;
          }
          for (const source of sources) {
            const path = posix.join(context, source);
            expect(existsSync(join(root, path)), path).toBe(true);
            // The context is the directory the Dockerfile names; .dockerignore applies to the repository root.
            if (context === '.')
              expect(ignored(posix.normalize(source)), `${source} is in .dockerignore`).toBe(false);
          }
        }
      }
    },
  );

  it.each(APPS)(
    '%s: one Node 24 base, runs main.ts as user node, exposes its port, probes /healthz',
    (name) => {
      const stages = imageOf(name);
      const bases = new Set(stages.map((s) => s.image));
      expect(bases.size).toBe(1);
      expect([...bases][0]).toMatch(/^node:24\.\d+\.\d+-bookworm-slim$/);
      const final = stages.at(-1);
      if (!final) throw new Error('no stage');
      expect(instructions(final, 'USER').at(-1)).toBe('node');
      expect(instructions(final, 'WORKDIR').at(-1)).toBe('/app');
      const cmd = command(final);
      expect(cmd).toEqual(['node', `services/${name}/src/main.ts`]);
      expect(existsSync(join(root, cmd[1]))).toBe(true);
      expect(instructions(final, 'EXPOSE')).toEqual([String(APP_PORTS[name])]);
      expect(instructions(final, 'HEALTHCHECK').join(' ')).toContain('/healthz');
      expect(instructions(final, 'ENV').join(' ')).toMatch(new RegExp(`PORT=${String(APP_PORTS[name])}\\b`));
      expect(instructions(final, 'ENV').join(' ')).toMatch(/HOST=0\.0\.0\.0\b/);
    },
  );

  it.each(APPS)(
    '%s: installs and copies exactly the workspaces it runs on, with production dependencies only',
    (name) => {
      const stages = imageOf(name);
      const final = stages.at(-1);
      if (!final) throw new Error('no stage');
      const needed = runtimeWorkspaces(`services/${name}`);
      // The stage the final one takes node_modules from.
      const depsName = copies(final).find((c) => c.from !== undefined && c.sources.includes('/app'))?.from;
      const deps = stages.find((s) => s.name === depsName);
      if (!deps) throw new Error(`${name}: the final stage copies /app from no stage`);
      const manifests = copies(deps)
        .flatMap((c) => c.sources)
        .filter((s) => s.endsWith('/package.json'))
        .map((s) => s.slice(0, -'/package.json'.length));
      // A workspace's manifest left out breaks its imports; one too many (packages/testing) drags
      // testcontainers and vitest into the image.
      expect(new Set(manifests)).toEqual(needed);
      const install = instructions(deps, 'RUN').join(' && ');
      expect(install).toContain(`npm ci --workspace services/${name}`);
      expect(install).toContain('--omit=dev');
      const sources = copies(final)
        .filter((c) => c.from === undefined)
        .flatMap((c) => c.sources);
      expect(new Set(sources)).toEqual(new Set([...needed].map((dir) => `${dir}/src`)));
    },
  );

  it('serves the web page it builds from the timeline image', () => {
    const stages = parseDockerfile(read('services/timeline-service/Dockerfile'));
    const final = stages.at(-1);
    if (!final) throw new Error('no stage');
    const built = copies(final).find((c) => c.sources.some((s) => s.endsWith('/dist/web')));
    const builder = stages.find((s) => s.name === built?.from);
    expect(instructions(builder ?? final, 'RUN')).toContain('npm run build');
    const rootScripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(rootScripts.build).toContain('services/timeline-service/web/vite.config.ts');
    expect(read('services/timeline-service/web/vite.config.ts')).toContain("'../dist/web'");
    expect(built?.destination).toBe('services/timeline-service/dist/web');
    expect(instructions(final, 'ENV').join(' ')).toContain('WEB_ROOT=services/timeline-service/dist/web');
  });

  it('gives the collector image what its compose healthcheck runs', () => {
    const stages = parseDockerfile(read('infra/otel/Dockerfile'));
    expect(stages.at(-1)?.image).toMatch(/^otel\/opentelemetry-collector-contrib:\d+\.\d+\.\d+$/);
    const binary = service('otel-collector').healthcheck?.test[1];
    const final = stages.at(-1);
    if (!final) throw new Error('no stage');
    expect(copies(final).map((c) => c.destination)).toContain(binary);
    expect(copies(final).map((c) => c.destination)).toContain('/etc/otelcol-contrib/config.yaml');
  });
});

describe('.dockerignore', () => {
  it('keeps local state and installed dependencies out of the build context', () => {
    for (const path of [
      'node_modules',
      'packages/telemetry/node_modules',
      '.data',
      '.tools',
      'infra/kafka/.cache',
      '.git',
    ]) {
      expect(ignored(path), path).toBe(true);
    }
    expect(ignored('services/order-service/src/main.ts')).toBe(false);
  });
});
