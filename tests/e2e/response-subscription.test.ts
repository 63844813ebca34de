/**
 * Responses reach FHIR subscribers: resources PUT to the intake services become a timeline whose
 * response assessments (mCODE CancerDiseaseStatus Observations, `responseChanges` of the timeline
 * events) are delivered by the subscription service to an `imaging-response` Subscription, and an
 * `imaging-report` Subscription of the same client with a patient filter gets that patient's reports.
 */
import type { Observation, Subscription } from '@medplum/fhirtypes';
import { buildBackportSubscription, readNotification } from '@oncoimg/fhir-events';
import { openDatabase, type Database } from '@oncoimg/store';
import { enableInProcessMetrics } from '@oncoimg/telemetry';
import { testAuth, testKafkaBrokers, testKafkaSecurity, uniqueName } from '@oncoimg/testing';
import { ResponsePathwayResources, ResponsePatient } from '@oncoimg/testing/personas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllowList } from '../../services/subscription-service/src/domain/endpoint-allow-list.ts';
import {
  startReceiver,
  type Receiver,
} from '../../services/subscription-service/src/subscription-service.fixtures.ts';
import {
  createSubscriptionService,
  type SubscriptionService,
} from '../../services/subscription-service/src/subscription-service.ts';
import { eventually, putResource, startSystem, type RunningSystem } from '../support/running-system.ts';

describe('response assessments and reports delivered to FHIR subscribers', () => {
  let system: RunningSystem;
  let db: Database;
  let subscriptions: SubscriptionService;
  let responses: Receiver;
  let reports: Receiver;
  let base: string;

  beforeAll(async () => {
    // Before the service exists: its meters come from the global provider.
    enableInProcessMetrics('subscriptions-e2e');
    system = await startSystem();
    db = await openDatabase({ schema: 'subscriptions' });
    subscriptions = createSubscriptionService({
      db,
      brokers: testKafkaBrokers(),
      kafkaSecurity: testKafkaSecurity(),
      access: (await testAuth()).access,
      port: 0,
      topics: system.topics,
      groupId: uniqueName('subscriptions'),
      allowList: parseAllowList('http://127.0.0.1:*'),
      retry: { maxFailures: 3, initialMs: 100, maxMs: 1_000 },
      resourceBase: (type) => (type === 'Observation' ? system.timelineBase : system.reportBase),
      pollMs: 100,
    });
    const { port } = await subscriptions.start();
    base = `http://127.0.0.1:${String(port)}`;
    responses = await startReceiver();
    reports = await startReceiver();
    const create = async (subscription: Subscription) => {
      const res = await fetch(`${base}/fhir/Subscription`, {
        method: 'POST',
        headers: {
          ...(await (
            await testAuth()
          ).bearer('system/Subscription.cu system/Observation.rs system/DiagnosticReport.rs', {
            client_id: 'tumour-board',
          })),
          'content-type': 'application/fhir+json',
        },
        body: JSON.stringify(subscription),
      });
      expect(res.status).toBe(201);
    };
    await create(
      buildBackportSubscription({
        topic: 'imaging-response',
        endpoint: responses.url,
        payload: 'full-resource',
      }),
    );
    await create(
      buildBackportSubscription({
        topic: 'imaging-report',
        filters: [`DiagnosticReport?patient=${encodeURIComponent(ResponsePatient.key)}&status=final`],
        endpoint: reports.url,
      }),
    );
    await eventually(
      async () => (responses.bundles.length > 0 && reports.bundles.length > 0 ? true : undefined),
      'both handshakes',
    );
    for (const resource of ResponsePathwayResources) {
      await putResource(system, resource);
    }
  });

  afterAll(async () => {
    await responses.close();
    await reports.close();
    await subscriptions.stop();
    await db.close();
    await system.stop();
  });

  it('delivers each response assessment as an mCODE CancerDiseaseStatus Observation of the patient', async () => {
    const observations = await eventually(
      async () => {
        const found = responses.bundles
          .map(readNotification)
          .filter((n) => n.type === 'event-notification')
          .flatMap((n) => n.resources as Observation[]);
        return found.length >= 2 ? found : undefined;
      },
      'response Observations',
      90_000,
    );
    for (const observation of observations) {
      expect(observation.resourceType).toBe('Observation');
      expect(
        observation.code.coding?.some((c) => c.system === 'http://loinc.org' && c.code === '97509-4'),
      ).toBe(true);
    }
  });

  it('delivers the patient’s final reports, as ids, numbered in order', async () => {
    const numbers = await eventually(
      async () => {
        const events = reports.bundles
          .map(readNotification)
          .filter((n) => n.type === 'event-notification')
          .flatMap((n) => n.events.map((e) => Number(e.eventNumber)));
        return events.length > 0 ? events : undefined;
      },
      'report notifications',
      90_000,
    );
    expect(numbers).toEqual(numbers.map((_n, index) => index + 1));
    const focus = reports.bundles
      .map(readNotification)
      .flatMap((n) => n.events.map((e) => e.focus?.reference ?? ''));
    expect(focus.every((reference) => reference.startsWith(`${system.reportBase}/DiagnosticReport/`))).toBe(
      true,
    );
  });

  it('counts deliveries by type and result and shows the backlog in /metrics, without patient data', async () => {
    const headers = await (await testAuth()).bearer();
    const text = await (await fetch(`${base}/metrics`, { headers })).text();
    expect(text).toMatch(
      /oncoimg_subscription_deliveries_total\{type="handshake",result="delivered"[^}]*\} 2/,
    );
    expect(text).toMatch(
      /oncoimg_subscription_deliveries_total\{type="event-notification",result="delivered"[^}]*\} [1-9]/,
    );
    expect(text).toMatch(/oncoimg_subscription_backlog(\{[^}]*\})? \d+/);
    expect(text).not.toContain(ResponsePatient.identifier.value);
  });
});
