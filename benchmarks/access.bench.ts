/**
 * Issue 13: what checking bearer tokens costs the intake path. The same order service, the same
 * requests, in the same run: once with every token verified (jose, RS256, against the issuer's
 * JWKS, as deployed) and once with a pass-through verifier (the access middleware and scope checks
 * still run, the token's verification does not). Writes (POST) and reads (GET by id).
 */
import type { BenchConfig } from './config.ts';
import type { BenchAccess, DatabaseTarget } from './host-protocol.ts';
import { createHttpClient, type HttpClient } from './http-client.ts';
import { withIntakeHost } from './intake-host.ts';
import { runClosedLoop } from './load.ts';
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

/** Both ways, one after the other on fresh services and topics, PGlite in `dataDir`. */
export async function benchAccess(
  config: BenchConfig,
  run: SyntheticRun,
  dataDirOf: (access: BenchAccess) => Promise<string>,
  log: (line: string) => void,
  execArgv: string[],
): Promise<AccessFigures> {
  log('  access: pass-through verifier (middleware and scopes, no token verification)');
  const passThrough = await measure(
    config,
    run,
    { dataDir: await dataDirOf('pass-through') },
    execArgv,
    'pass-through',
    0,
  );
  log('  access: every token verified (jose, RS256, JWKS)');
  const verified = await measure(
    config,
    run,
    { dataDir: await dataDirOf('verified') },
    execArgv,
    'verified',
    passThrough.nextIndex,
  );
  return {
    'pass-through': { post: passThrough.post, read: passThrough.read },
    verified: { post: verified.post, read: verified.read },
  };
}
