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

describe.each(testDatabaseTargets())('intake under a flood of requests on $name', (target) => {
  let db: Database;
  let service: IntakeService;
  let base: string;
  let topic: string;

  beforeAll(async () => {
    topic = uniqueName('overload');
    await ensureTopics({ brokers, security, topics: [topic], numPartitions: 1 });
    db = await openTestDatabase(target);
    const slowDb: Database = {
      ...db,
      kind: db.kind,
      schema: db.schema,
      transaction: async (work) => {
        await new Promise((resolve) => setTimeout(resolve, SLOW_WRITE_MS));
        return db.transaction(work);
      },
      // A single create is one statement outside a transaction: it must be slow too.
      query: async (...args: Parameters<Database['query']>) => {
        await new Promise((resolve) => setTimeout(resolve, SLOW_WRITE_MS));
        return db.query(...args);
      },
    };
    service = createIntakeService({
      access: (await testAuth()).access,
      name: 'overload-test',
      resourceType: 'ServiceRequest',
      db: slowDb,
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
    // One token for the whole flood, so that every request is sent at once.
    const authorization = `Bearer ${await (await testAuth()).token()}`;
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: FLOOD }, async (_, n) => {
        const res = await fetch(`${base}/fhir/ServiceRequest`, {
          method: 'POST',
          headers: { 'content-type': 'application/fhir+json', authorization },
          body: JSON.stringify(order(n)),
          signal: AbortSignal.timeout(30_000),
        });
        const body = (await res.json()) as ServiceRequest | OperationOutcome;
        return { status: res.status, retryAfter: res.headers.get('retry-after'), body };
      }),
    );
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
    const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM outbox WHERE topic = $1', [
      topic,
    ]);
    expect(Number(rows[0]?.n)).toBe(accepted.length);

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
