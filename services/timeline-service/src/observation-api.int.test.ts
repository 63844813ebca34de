import type { Bundle, Observation, OperationOutcome } from '@medplum/fhirtypes';
import type { TopicNames } from '@oncoimg/fhir-events';
import { createEventProducer, type EventProducer } from '@oncoimg/kafka';
import type { Database } from '@oncoimg/store';
import {
  eventually,
  fetchPatiently as fetch,
  refusedTokens,
  testAuth,
  testDatabaseTargets,
} from '@oncoimg/testing';
import { testKafkaBrokers, testKafkaSecurity } from '@oncoimg/testing';
import { ResponsePatient, responsePathwayEvents, TwoTracksScenario } from '@oncoimg/testing/personas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishEvents, startTestTimeline } from './timeline-service.fixtures.ts';
import type { TimelineService } from './timeline-service.ts';

const brokers = testKafkaBrokers();
const security = testKafkaSecurity();
// PostgreSQL when there is one: PGlite runs in the test's own event loop.
const target = testDatabaseTargets().at(-1) ?? { name: 'pglite' };
const own = ResponsePatient.key;
const other = TwoTracksScenario.patient.key;
const search = (patient: string, code = 'http://loinc.org|97509-4') =>
  `/fhir/Observation?patient=${encodeURIComponent(patient)}&code=${encodeURIComponent(code)}`;

describe('mCODE CancerDiseaseStatus Observations at /fhir/Observation (real service, real Kafka)', () => {
  let db: Database;
  let service: TimelineService;
  let producer: EventProducer;
  let topics: TopicNames;
  let base: string;

  const call = async (path: string, scope?: string, patient?: string) => {
    const headers =
      scope === undefined ? {} : await (await testAuth()).bearer(scope, patient ? { patient } : {});
    return fetch(`${base}${path}`, { headers });
  };
  const bundle = async (res: Response) => {
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    return (await res.json()) as Bundle<Observation>;
  };
  const ids = (found: Bundle<Observation>) => (found.entry ?? []).map((e) => e.resource?.id);

  beforeAll(async () => {
    ({ db, service, topics, base } = await startTestTimeline(target));
    producer = createEventProducer({ brokers, security, clientId: 'observation-api-test' });
    await producer.connect();
    await publishEvents(producer, topics, [...responsePathwayEvents(), ...TwoTracksScenario.events]);
    for (const key of [own, other]) {
      await eventually(
        async () =>
          ((await bundle(await call(search(key), 'system/Observation.rs'))).total ?? 0) > 0 || undefined,
        `the Observations of ${key}`,
        60_000,
      );
    }
  }, 120_000);

  afterAll(async () => {
    await producer.disconnect();
    await service.stop();
    await db.close();
  });

  it('answers a search by patient and code with a searchset of CancerDiseaseStatus Observations, each readable by id', async () => {
    const found = await bundle(await call(search(own), 'system/Observation.rs'));
    expect(found).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
    expect(found.total).toBe(found.entry?.length);
    for (const entry of found.entry ?? []) {
      expect(entry.resource).toMatchObject({
        resourceType: 'Observation',
        status: 'preliminary',
        code: { coding: [{ system: 'http://loinc.org', code: '97509-4' }] },
        meta: { versionId: expect.stringMatching(/^[1-9]\d*$/) as string },
      });
      expect(entry.fullUrl).toBe(`${base}/fhir/Observation/${entry.resource?.id ?? ''}`);
      const read = await call(`/fhir/Observation/${entry.resource?.id ?? ''}`, 'system/Observation.rs');
      expect(read.status).toBe(200);
      expect(await read.json()).toEqual(entry.resource);
    }
    // The bare code, and the code of another system or another code.
    expect(ids(await bundle(await call(search(own, '97509-4'), 'system/Observation.rs')))).toEqual(
      ids(found),
    );
    expect((await bundle(await call(search(own, 'urn:other|97509-4'), 'system/Observation.rs'))).total).toBe(
      0,
    );
    expect((await bundle(await call(search(own, '21889-1'), 'system/Observation.rs'))).total).toBe(0);
  });

  it('refuses bad tokens with 401, and a token without Observation read with 403; the right token reads', async () => {
    for (const refused of await refusedTokens('system/Observation.rs')) {
      const res = await fetch(`${base}${search(own)}`, {
        headers: refused.authorization === undefined ? {} : { authorization: refused.authorization },
      });
      expect(res.status, refused.name).toBe(401);
    }
    const noScope = await call(search(own), 'system/ImagingStudy.rs');
    expect(noScope.status).toBe(403);
    expect(((await noScope.json()) as OperationOutcome).issue[0]?.details?.text).toBe(
      'missing scope system/Observation.rs',
    );
    expect((await call(search(own), 'system/Observation.rs')).status).toBe(200);
    expect((await call(search(own), 'user/*.rs')).status).toBe(200);
  });

  it('serves a patient-context token its own patient only: another patient is an empty search and a 404 read', async () => {
    const mine = await bundle(await call(search(own), 'patient/Observation.rs', own));
    expect(mine.total).toBeGreaterThan(0);
    // Without `patient`, a patient-context token searches its own patient.
    expect(ids(await bundle(await call('/fhir/Observation?code=97509-4', 'patient/*.rs', own)))).toEqual(
      ids(mine),
    );
    expect((await bundle(await call(search(other), 'patient/Observation.rs', own))).total).toBe(0);

    const theirs = await bundle(await call(search(other), 'system/Observation.rs'));
    const theirId = theirs.entry?.[0]?.resource?.id ?? '';
    expect(theirId).not.toBe('');
    expect((await call(`/fhir/Observation/${theirId}`, 'patient/Observation.rs', own)).status).toBe(404);
    expect((await call(`/fhir/Observation/${theirId}`, 'patient/Observation.rs', other)).status).toBe(200);
  });

  it('answers a search without a patient, or with an unsupported parameter, with 400 and an OperationOutcome', async () => {
    const missing = await call('/fhir/Observation?code=97509-4', 'system/Observation.rs');
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as OperationOutcome).resourceType).toBe('OperationOutcome');
    const unsupported = await call(`${search(own)}&value-concept=268910001`, 'system/Observation.rs');
    expect(unsupported.status).toBe(400);
    expect((await call('/fhir/Observation/no-such-id', 'system/Observation.rs')).status).toBe(404);
  });
});
