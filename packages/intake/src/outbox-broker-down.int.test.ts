import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEvent, ServiceRequest } from '@medplum/fhirtypes';
import { startKafkaBroker, type KafkaBroker } from '@oncoimg/kafka-local';
import { openDatabase, type Database } from '@oncoimg/store';
import {
  authFetch,
  DiagnosticChestCtOrder,
  fetchPatiently,
  readTopic,
  testAuth,
  uniqueName,
} from '@oncoimg/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntakeService, type IntakeService } from './intake-service.ts';

/** A broker of its own, so stopping it does not disturb the other tests. */
const PORT = 19_192;
const FHIR = { 'content-type': 'application/fhir+json' };

function order(patient: string, n: number): ServiceRequest {
  const { meta: _meta, id: _id, ...rest } = DiagnosticChestCtOrder;
  return {
    ...rest,
    identifier: [{ system: 'urn:oid:2.16.840.1.113883.19.5.99', value: `${patient}-${String(n)}` }],
    subject: { type: 'Patient', identifier: { system: 'urn:oid:2.16.840.1.113883.19.5', value: patient } },
  };
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out: ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('transactional outbox while the broker is down', () => {
  let dataDir: string;
  let broker: KafkaBroker;
  let db: Database;
  let service: IntakeService;
  let base: string;
  const topic = uniqueName('outage');

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'oncoimg-kafka-'));
    broker = await startKafkaBroker({ port: PORT, controllerPort: PORT + 1, dataDir });
    db = await openDatabase({});
    service = createIntakeService({
      access: (await testAuth()).access,
      name: 'order-service',
      resourceType: 'ServiceRequest',
      db,
      brokers: [broker.brokers],
      topics: { serviceRequest: topic, audit: `${topic}.audit` },
    });
    base = `http://127.0.0.1:${String((await service.start()).port)}`;
  }, 180_000);

  afterAll(async () => {
    await service.stop();
    await db.close();
    await broker.stop();
    await rm(dataDir, { recursive: true, force: true });
  }, 120_000);

  it('accepts writes while Kafka is down and publishes each event once, in order per patient, when it is back', async () => {
    const post = async (resource: ServiceRequest) => {
      // Retried on 503 throttled, as a real client would: a loaded machine stalls the event loop
      // (the first request loads the R4 definitions) and admission control refuses for a moment.
      const res = await fetchPatiently(`${base}/fhir/ServiceRequest`, {
        method: 'POST',
        headers: { ...FHIR, authorization: `Bearer ${await (await testAuth()).token()}` },
        body: JSON.stringify(resource),
      });
      expect(res.status).toBe(201);
    };
    for (let n = 1; n <= 3; n += 1) {
      await post(order('A', n));
    }
    await until(async () => (await service.status()).outbox?.backlog === 0, 'first events published');

    await broker.stop();
    for (let n = 4; n <= 6; n += 1) {
      await post(order('A', n));
    }
    for (let n = 1; n <= 3; n += 1) {
      await post(order('B', n));
    }
    await until(async () => {
      const status = await service.status();
      // Six events and the six writes' audit records.
      return status.kafka === 'down' && (status.outbox?.backlog ?? 0) === 12;
    }, 'readiness to show Kafka down and the backlog');
    const ready = await authFetch(`${base}/readyz`);
    expect(ready.status).toBe(503);

    broker = await startKafkaBroker({ port: PORT, controllerPort: PORT + 1, dataDir });
    await until(
      async () => (await service.status()).outbox?.backlog === 0,
      'backlog drained after the broker came back',
      120_000,
    );

    const reader = await readTopic([broker.brokers], topic);
    try {
      const events = await reader.waitFor(9, 60_000);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(reader.messages).toHaveLength(9);
      expect(new Set(events.map((e) => e.headers.ce_id)).size).toBe(9);
      const valuesOf = (patient: string) =>
        reader.messages
          .filter((e) => e.key?.endsWith(`|${patient}`))
          .map((e) => (JSON.parse(e.value?.toString() ?? '{}') as ServiceRequest).identifier?.[0]?.value);
      expect(valuesOf('A')).toEqual(['A-1', 'A-2', 'A-3', 'A-4', 'A-5', 'A-6']);
      expect(valuesOf('B')).toEqual(['B-1', 'B-2', 'B-3']);
    } finally {
      await reader.stop();
    }

    // Every write's AuditEvent too, the ones recorded during the outage included, keyed by patient.
    const audits = await readTopic([broker.brokers], `${topic}.audit`);
    try {
      await audits.waitFor(9, 60_000);
      const events = audits.messages.map((m) => JSON.parse(m.value?.toString() ?? '{}') as AuditEvent);
      expect(new Set(events.map((e) => e.id)).size).toBe(9);
      expect(events.every((e) => e.action === 'C' && e.outcome === '0')).toBe(true);
      expect(audits.messages.filter((m) => m.key?.endsWith('|A'))).toHaveLength(6);
      expect(audits.messages.filter((m) => m.key?.endsWith('|B'))).toHaveLength(3);
    } finally {
      await audits.stop();
    }
  }, 300_000);
});
