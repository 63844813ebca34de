import type { CapabilityStatement, OperationOutcome } from '@medplum/fhirtypes';
import type { TopicNames } from '@oncoimg/fhir-events';
import { createEventProducer, type EventProducer } from '@oncoimg/kafka';
import type { Database } from '@oncoimg/store';
import {
  eventually,
  fetchPatiently as fetch,
  refusedTokens,
  testAuth,
  testDatabaseTargets,
  testKafkaBrokers,
} from '@oncoimg/testing';
import {
  LungCancerPatient,
  lungCancerPathwayEvents,
  ResponsePatient,
  responsePathwayEvents,
} from '@oncoimg/testing/personas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishEvents, startTestTimeline } from './timeline-service.fixtures.ts';
import type { TimelineService } from './timeline-service.ts';

const brokers = testKafkaBrokers();
// PostgreSQL when there is one: PGlite runs in the test's own event loop.
const target = testDatabaseTargets().at(-1) ?? { name: 'pglite' };
const own = LungCancerPatient.key;
const other = ResponsePatient.key;
const timelinePath = (key: string) => `/api/patients/${encodeURIComponent(key)}/timeline`;
const asPatient = { scope: 'patient/*.rs', patient: own };

interface Notice {
  patientKey: string;
}

/** Reads `/api/events` in the background; every notice lands in the returned list. */
async function listen(url: string, headers: Record<string, string>, signal: AbortSignal): Promise<Notice[]> {
  const notices: Notice[] = [];
  const res = await fetch(url, { headers, signal });
  expect(res.status).toBe(200);
  const reader = res.body?.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    let buffer = '';
    for (;;) {
      const { value, done } = (await reader?.read().catch(() => ({ value: undefined, done: true }))) ?? {
        done: true,
      };
      if (done) {
        return;
      }
      buffer += value ?? '';
      const events = buffer.split('\n\n');
      buffer = events.pop() ?? '';
      for (const event of events) {
        const data = /^data: (.*)$/m.exec(event)?.[1];
        if (data) {
          notices.push(JSON.parse(data) as Notice);
        }
      }
    }
  })();
  return notices;
}

describe('access control of the timeline service (real service, real Kafka, test issuer)', () => {
  let db: Database;
  let service: TimelineService;
  let producer: EventProducer;
  let topics: TopicNames;
  let base: string;
  const streams = new AbortController();
  let systemNotices: Notice[];
  let patientNotices: Notice[];

  const call = async (path: string, scope?: string, patient?: string) => {
    const headers =
      scope === undefined ? {} : await (await testAuth()).bearer(scope, patient ? { patient } : {});
    return fetch(`${base}${path}`, { headers });
  };

  beforeAll(async () => {
    ({ db, service, topics, base } = await startTestTimeline(target));
    const auth = await testAuth();
    systemNotices = await listen(`${base}/api/events`, await auth.bearer('system/*.rs'), streams.signal);
    patientNotices = await listen(
      `${base}/api/events`,
      await auth.bearer(asPatient.scope, { patient: own }),
      streams.signal,
    );
    producer = createEventProducer({ brokers, clientId: 'timeline-access-test' });
    await producer.connect();
    await publishEvents(producer, topics, [...lungCancerPathwayEvents(), ...responsePathwayEvents()]);
    for (const key of [own, other]) {
      await eventually(
        async () => ((await call(timelinePath(key), 'system/*.rs')).ok ? true : undefined),
        `the timeline of ${key}`,
        60_000,
      );
    }
  }, 120_000);

  afterAll(async () => {
    streams.abort();
    await producer.disconnect();
    await service.stop();
    await db.close();
  });

  it('refuses every bad token with 401 and an OperationOutcome; the right token reads the timeline', async () => {
    for (const refused of await refusedTokens('system/*.rs')) {
      const res = await fetch(`${base}${timelinePath(own)}`, {
        headers: refused.authorization === undefined ? {} : { authorization: refused.authorization },
      });
      expect(res.status, refused.name).toBe(401);
      expect(res.headers.get('www-authenticate'), refused.name).toMatch(/^Bearer realm="oncoimg"/);
      const outcome = (await res.json()) as OperationOutcome;
      expect(outcome.issue[0]?.details?.text, refused.name).toMatch(refused.reason);
    }
    expect((await call(timelinePath(own), 'system/*.rs')).status).toBe(200);
  });

  it('tells a caller without a token where to get one: /fhir/metadata and SMART discovery', async () => {
    const { issuer } = (await testAuth()).issuer;
    const metadata = (await (await fetch(`${base}/fhir/metadata`)).json()) as CapabilityStatement;
    expect(metadata.rest?.[0]?.security?.extension?.[0]?.extension).toContainEqual({
      url: 'token',
      valueUri: `${issuer}/token`,
    });
    const discovery = await fetch(`${base}/fhir/.well-known/smart-configuration`);
    expect(((await discovery.json()) as { issuer: string }).issuer).toBe(issuer);
    expect((await fetch(`${base}/api`)).status).toBe(401);
  });

  it('needs read access to both ImagingStudy and DiagnosticReport, and names what is missing', async () => {
    const studiesOnly = await call(timelinePath(own), 'system/ImagingStudy.rs');
    expect(studiesOnly.status).toBe(403);
    const outcome = (await studiesOnly.json()) as OperationOutcome;
    expect(outcome.issue[0]?.details?.text).toBe('missing scope system/DiagnosticReport.rs');
    expect((await call(timelinePath(own), 'system/ImagingStudy.rs system/DiagnosticReport.rs')).status).toBe(
      200,
    );
    expect((await call(timelinePath(own), 'user/*.rs')).status).toBe(200);
    expect((await call('/api/events', 'system/ServiceRequest.rs')).status).toBe(403);
  });

  it('with a patient-bound token serves that patient only: another timeline is 404, search lists one', async () => {
    expect((await call(timelinePath(own), asPatient.scope, own)).status).toBe(200);
    expect((await call(timelinePath(other), asPatient.scope, own)).status).toBe(404);
    expect((await call(timelinePath(other), 'system/*.rs')).status).toBe(200);
    // A patient scope without a patient claim allows nothing.
    expect((await call(timelinePath(own), asPatient.scope)).status).toBe(403);

    const keys = async (res: Response) =>
      ((await res.json()) as { patients: { patientKey: string }[] }).patients.map((p) => p.patientKey).sort();
    const q = '/api/patients?q=-0001';
    expect(await keys(await call(q, asPatient.scope, own))).toEqual([own]);
    expect(await keys(await call(q, 'system/*.rs'))).toEqual([own, other].sort());
  });

  it('carries on the live stream only the notices of the token’s patient', async () => {
    await eventually(
      async () => (systemNotices.some((n) => n.patientKey === other) ? true : undefined),
      'a notice about the other patient on the system stream',
      30_000,
    );
    await eventually(
      async () => (patientNotices.some((n) => n.patientKey === own) ? true : undefined),
      'a notice about its own patient on the patient stream',
      30_000,
    );
    expect(systemNotices.some((n) => n.patientKey === own)).toBe(true);
    expect(patientNotices.filter((n) => n.patientKey !== own)).toEqual([]);
  });
});
