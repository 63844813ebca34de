/**
 * Issue 13: what checking bearer tokens costs the intake path. The same order service, the same
 * requests, in the same run: once with every token verified (jose, RS256, against the issuer's
 * JWKS, as deployed) and once with a pass-through verifier (the access middleware and scope checks
 * still run, the token's verification does not). Writes (POST) and reads (GET by id).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchConfig } from './config.ts';
import type { BenchAccess, DatabaseTarget } from './host-protocol.ts';
import { createHttpClient, type HttpClient } from './http-client.ts';
import { withIntakeHost } from './intake-host.ts';
import { runClosedLoop } from './load.ts';
import { figure, type FigureRow } from './report.ts';
import { ratePerSecond, summarizeLatencies } from './stats.ts';
import { asNewResource, syntheticExam, type SyntheticRun } from './synthetic-imaging.ts';

export interface AccessPhase {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  failed: number;
  firstError: string | undefined;
}

export type AccessFigures = Record<BenchAccess, { post: AccessPhase; read: AccessPhase }>;

async function phase(
  concurrency: number,
  seconds: number,
  send: (index: number) => Promise<number>,
  firstIndex: number,
): Promise<AccessPhase & { nextIndex: number }> {
  const result = await runClosedLoop({ concurrency, durationMs: seconds * 1000, send, firstIndex });
  const latency = summarizeLatencies(result.latenciesMs);
  return {
    requestsPerSecond: ratePerSecond(result.accepted, result.elapsedMs),
    p50Ms: latency.p50Ms,
    p99Ms: latency.p99Ms,
    failed: result.failed,
    firstError: result.firstError,
    nextIndex: result.nextIndex,
  };
}

async function expectStatus(
  answer: Promise<{ status: number; body: string }>,
  status: number,
): Promise<string> {
  const { status: got, body } = await answer;
  if (got !== status) {
    throw new Error(`answered ${String(got)}: ${body.slice(0, 300)}`);
  }
  return body;
}

/** One order service with `access`: warm-up, single POSTs, then reads of what was posted. */
async function measure(
  config: BenchConfig,
  run: SyntheticRun,
  database: DatabaseTarget,
  execArgv: string[],
  access: BenchAccess,
  firstIndex: number,
): Promise<{ post: AccessPhase; read: AccessPhase; nextIndex: number }> {
  const { warmupSeconds, seconds, concurrency } = config.intake;
  return withIntakeHost(
    config,
    { ...database, kind: 'pglite' },
    execArgv,
    `bench.access.${access}`,
    async (host, port, headers) => {
      const http: HttpClient = createHttpClient({ port, connections: concurrency, headers });
      const ids: string[] = [];
      const post = async (index: number) => {
        const body = JSON.stringify(asNewResource(syntheticExam(run, index, index % 4).order));
        const created = JSON.parse(await expectStatus(http.post('/fhir/ServiceRequest', body), 201)) as {
          id: string;
        };
        ids.push(created.id);
        return 1;
      };
      const read = async (index: number) => {
        await expectStatus(http.get(`/fhir/ServiceRequest/${ids[index % ids.length] ?? ''}`), 200);
        return 1;
      };
      const warm = await runClosedLoop({
        concurrency,
        durationMs: warmupSeconds * 1000,
        send: post,
        firstIndex,
      });
      const posted = await phase(concurrency, seconds, post, warm.nextIndex);
      const reads = await phase(concurrency, seconds, read, 0);
      http.close();
      await host.stop();
      return { post: posted, read: reads, nextIndex: posted.nextIndex };
    },
    access,
  );
}

/** Both ways, one after the other on fresh services, topics and PGlite stores in temp folders. */
export async function benchAccess(
  config: BenchConfig,
  run: SyntheticRun,
  log: (line: string) => void,
  execArgv: string[],
): Promise<AccessFigures> {
  const dirs: string[] = [];
  const fresh = async (access: BenchAccess): Promise<DatabaseTarget> => {
    const dir = await mkdtemp(join(tmpdir(), `bench-access-${access}-`));
    dirs.push(dir);
    return { dataDir: dir };
  };
  try {
    log('  access: pass-through verifier (middleware and scopes, no token verification)');
    const off = await measure(config, run, await fresh('pass-through'), execArgv, 'pass-through', 0);
    log('  access: every token verified (jose, RS256, JWKS)');
    const on = await measure(config, run, await fresh('verified'), execArgv, 'verified', off.nextIndex);
    return { 'pass-through': { post: off.post, read: off.read }, verified: { post: on.post, read: on.read } };
  } finally {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  }
}

/** The cost of verifying tokens: each rate with verification beside the one without, and their ratio. */
export function accessRows(figures: AccessFigures): FigureRow[] {
  const section = 'intake access (pglite)';
  return (['post', 'read'] as const).flatMap((kind) => {
    const label = kind === 'post' ? 'single POST' : 'GET by id';
    const off = figures['pass-through'][kind];
    const on = figures.verified[kind];
    const failed = [off, on].find((p) => p.failed > 0)?.firstError;
    return [
      figure(section, `${label}: tokens not verified`, off.requestsPerSecond, 'requests/s', {
        note: `p50 ${off.p50Ms.toFixed(1)} ms, p99 ${off.p99Ms.toFixed(1)} ms${failed ? `; failed: ${failed}` : ''}`,
      }),
      figure(section, `${label}: tokens verified`, on.requestsPerSecond, 'requests/s', {
        note: `p50 ${on.p50Ms.toFixed(1)} ms, p99 ${on.p99Ms.toFixed(1)} ms`,
      }),
      figure(
        section,
        `${label}: verified / not verified`,
        on.requestsPerSecond / off.requestsPerSecond,
        '%',
        {
          note: 'jose RS256 verification of every request, same run',
        },
      ),
    ];
  });
}
