import type { OperationOutcome, ServiceRequest } from '@medplum/fhirtypes';
import { ensureTopics } from '@oncoimg/kafka';
import type { Database } from '@oncoimg/store';
import {
  authFetch,
  DiagnosticChestCtOrder,
  openTestDatabase,
  testAuth,
  testDatabaseTargets,
  testKafkaBrokers,
  testKafkaSecurity,
  uniqueName,
} from '@oncoimg/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntakeService, type IntakeService } from './intake-service.ts';

const brokers = testKafkaBrokers();
const security = testKafkaSecurity();
const MAX_IN_FLIGHT = 4;
const MAX_QUEUED = 4;
/** Far more than the service takes at once: most must be refused, none may hang. */
const FLOOD = 120;
/** Each write waits this long first, as on a busy database server, so the flood outruns it. */
const SLOW_WRITE_MS = 100;

function order(n: number): ServiceRequest {
  const { meta: _meta, id: _id, ...rest } = DiagnosticChestCtOrder;
  return {
    ...rest,
    identifier: [{ system: 'urn:oid:2.16.840.1.113883.3.9999.1', value: `FLOOD-${String(n)}` }],
  };
}

/** The database `db`, with every write waiting `SLOW_WRITE_MS` first, as on a busy server. */
function slowed(db: Database): Database {
  const slow = () => new Promise((resolve) => setTimeout(resolve, SLOW_WRITE_MS));
  return {
    ...db,
    kind: db.kind,
    schema: db.schema,
    transaction: async (work) => {
      await slow();
      return db.transaction(work);
    },
    // A single create is one statement outside a transaction: it must be slow too.
    query: async (...args: Parameters<Database['query']>) => {
      await slow();
      return db.query(...args);
    },
  };
}

/** Sends `count` new orders at once, each with the same token, and collects the answers. */
async function flood(base: string, count: number, firstNumber = 0) {
  // One token for the whole flood, so that every request is sent at once.
  const authorization = `Bearer ${await (await testAuth()).token()}`;
  return Promise.all(
    Array.from({ length: count }, async (_, n) => {
      const res = await fetch(`${base}/fhir/ServiceRequest`, {
        method: 'POST',
        headers: { 'content-type': 'application/fhir+json', authorization },
        body: JSON.stringify(order(firstNumber + n)),
        signal: AbortSignal.timeout(30_000),
      });
      const body = (await res.json()) as ServiceRequest | OperationOutcome;
      return { status: res.status, retryAfter: res.headers.get('retry-after'), body };
    }),
  );
}

async function outboxRows(db: Database, topic: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM outbox WHERE topic = $1', [
    topic,
  ]);
  return Number(rows[0]?.n);
}

describe.each(testDatabaseTargets())('intake under a flood of requests on $name', (target) => {
  let db: Database;
  let service: IntakeService;
  let base: string;
  let topic: string;

  beforeAll(async () => {
    topic = uniqueName('overload');
    await ensureTopics({ brokers, security, topics: [topic], numPartitions: 1 });
    db = await openTestDatabase(target);
    service = createIntakeService({
      access: (await testAuth()).access,
      name: 'overload-test',
      resourceType: 'ServiceRequest',
      db: slowed(db),
      brokers,
      kafkaSecurity: security,
      topics: { serviceRequest: topic, audit: `${topic}.audit` },
      admission: { maxInFlight: MAX_IN_FLIGHT, maxQueued: MAX_QUEUED, requestTimeoutMs: 20_000 },
      // Group commit folds the flood into a few slow transactions and drains it before it overflows
      // the queue; one transaction per write keeps the database the bottleneck this test needs.
      groupCommit: false,
    });
    base = `http://127.0.0.1:${String((await service.start()).port)}`;
  });

  afterAll(async () => {
    await service.stop();
    await db.close();
  });

  it('answers every request, 201 or 503 with Retry-After, and stores every one it accepted', async () => {
    const started = Date.now();
    const answers = await flood(base, FLOOD);
    const elapsed = Date.now() - started;

    const accepted = answers.filter((a) => a.status === 201);
    const refused = answers.filter((a) => a.status === 503);
    expect(accepted.length + refused.length).toBe(FLOOD);
    expect(accepted.length).toBeGreaterThanOrEqual(MAX_IN_FLIGHT);
    expect(refused.length).toBeGreaterThan(0);
    for (const { retryAfter, body } of refused) {
      expect(retryAfter).toMatch(/^\d+$/);
      expect(body.resourceType).toBe('OperationOutcome');
    }
    expect(elapsed).toBeLessThan(20_000);

    // Nothing acknowledged that is not stored, and nothing stored that was refused.
    expect(await outboxRows(db, topic)).toBe(accepted.length);

    // Readiness answers under the flood's aftermath, and the service takes requests again.
    expect((await authFetch(`${base}/readyz`)).status).toBe(200);
    const after = await authFetch(`${base}/fhir/ServiceRequest`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify(order(FLOOD)),
    });
    expect(after.status).toBe(201);
  });
});

describe.each(testDatabaseTargets())('intake writes that outlive their time limit on $name', (target) => {
  let db: Database;
  let service: IntakeService;
  let base: string;
  let topic: string;
  /** Requests that wait this long in the write queue are answered 503 before their write starts. */
  const TIME_LIMIT_MS = 600;
  /** The queue writes one at a time, SLOW_WRITE_MS each: the last of these waits far past the limit. */
  const WAITING = 24;

  beforeAll(async () => {
    topic = uniqueName('time-limit');
    await ensureTopics({ brokers, security, topics: [topic], numPartitions: 1 });
    db = await openTestDatabase(target);
    service = createIntakeService({
      access: (await testAuth()).access,
      name: 'time-limit-test',
      resourceType: 'ServiceRequest',
      db: slowed(db),
      brokers,
      kafkaSecurity: security,
      topics: { serviceRequest: topic, audit: `${topic}.audit` },
      admission: { maxInFlight: 64, maxQueued: 64, requestTimeoutMs: TIME_LIMIT_MS },
      groupCommit: { maxGroup: 1, maxConcurrent: 1 },
    });
    base = `http://127.0.0.1:${String((await service.start()).port)}`;
    // The first requests load the R4 definitions and the issuer's keys: not what is measured here.
    for (let n = 0; (await flood(base, 1, 900 + n))[0]?.status !== 201; n += 1) {
      expect(n).toBeLessThan(10);
    }
  });

  afterAll(async () => {
    await service.stop();
    await db.close();
  });

  it('stores none of the writes it answered 503 for, and every one it answered 201 for', async () => {
    const before = await outboxRows(db, topic);
    const answers = await flood(base, WAITING, 1_000);
    const accepted = answers.filter((a) => a.status === 201);
    const timedOut = answers.filter((a) => a.status === 503);
    expect(accepted.length + timedOut.length).toBe(WAITING);
    expect(timedOut.length).toBeGreaterThan(0);
    expect(accepted.length).toBeGreaterThan(0);
    // Long enough for every write still queued when its request timed out to have run, had it been kept.
    await new Promise((resolve) => setTimeout(resolve, WAITING * SLOW_WRITE_MS));
    expect((await outboxRows(db, topic)) - before).toBe(accepted.length);
  });
});
