import { existsSync, readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  APP_PORTS,
  APPS,
  compose,
  ignored,
  isPinned,
  read,
  root,
  service,
} from './docker-compose.fixtures.ts';

// docker compose cannot run on the project's machines (no container engine), so these checks read the
// Dockerfiles docker-compose.yml builds and keep them honest against the operating contract instead.

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
      if (!from) {
        throw new Error(`cannot read FROM ${expanded}`);
      }
      stages.push({ image: from[1], name: from[2], instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (!stage) {
        throw new Error(`${keyword} before the first FROM`);
      }
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
  if (shell !== 'sh' || flag !== '-c') {
    return cmd;
  }
  expect(script, 'a shell CMD must exec, or node is not PID 1 and misses SIGTERM').toMatch(/^exec /);
  return expand(script.slice('exec '.length), environment(stage)).split(/\s+/);
}

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

/** The intake services share one Dockerfile, told apart by build arguments; the timeline and subscriptions have their own. */
const INTAKE_DOCKERFILE = 'services/intake.Dockerfile';

/** The stages of a service's image, its build arguments applied. */
function imageOf(name: string): Stage[] {
  const build = builds.find((b) => b.name === name);
  if (!build) {
    throw new Error(`${name} is not built`);
  }
  return parseDockerfile(read(build.dockerfile), build.args);
}

describe('Dockerfiles', () => {
  it('builds every application service and the collector', () => {
    // timeline-worker: more timeline instances (profile scale-out), the timeline's own build.
    expect(builds.map((b) => b.name).sort()).toEqual(
      [...APPS, 'auth-server', 'otel-collector', 'timeline-worker'].sort(),
    );
    expect(builds.find((b) => b.name === 'timeline-worker')).toEqual({
      ...builds.find((b) => b.name === 'timeline-service'),
      name: 'timeline-worker',
    });
    for (const name of APPS) {
      const build = builds.find((b) => b.name === name);
      expect(build?.context, name).toBe('.');
      if (name === 'timeline-service' || name === 'subscription-service') {
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
        if (!stageNames.has(image)) {
          expect(isPinned(image), image).toBe(true);
        }
      }
      const final = stages.at(-1);
      if (!final) {
        throw new Error('no stage');
      }
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
            if (context === '.') {
              expect(ignored(posix.normalize(source)), `${source} is in .dockerignore`).toBe(false);
            }
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
      if (!final) {
        throw new Error('no stage');
      }
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
      if (!final) {
        throw new Error('no stage');
      }
      const needed = runtimeWorkspaces(`services/${name}`);
      // The stage the final one takes node_modules from.
      const depsName = copies(final).find((c) => c.from !== undefined && c.sources.includes('/app'))?.from;
      const deps = stages.find((s) => s.name === depsName);
      if (!deps) {
        throw new Error(`${name}: the final stage copies /app from no stage`);
      }
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
    if (!final) {
      throw new Error('no stage');
    }
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
    if (!final) {
      throw new Error('no stage');
    }
    expect(copies(final).map((c) => c.destination)).toContain(binary);
    expect(copies(final).map((c) => c.destination)).toContain('/etc/otelcol-contrib/config.yaml');
  });
});
