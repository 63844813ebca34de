import { readFile } from 'node:fs/promises';
import type {
  AuditEvent,
  Bundle,
  DiagnosticReport,
  OperationOutcome,
  Subscription,
} from '@medplum/fhirtypes';
import { eventually, readTopic, testAuth, testDatabaseTargets } from '@oncoimg/testing';
import { LungCancerPatient } from '@oncoimg/testing/personas';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  parameterOf,
  REPORT_TOPIC,
  reportFor,
  reportSubscription,
  startReceiver,
  startTestSubscriptions,
  type Receiver,
  type TestSubscriptions,
} from './subscription-service.fixtures.ts';
import { createSubscriptionService } from './subscription-service.ts';

const OTHER_PATIENT = 'Patient/other-patient';

describe.each(testDatabaseTargets())('subscription service on real Kafka and $name', (target) => {
  let subs: TestSubscriptions;
  let receiver: Receiver;

  beforeEach(async () => {
    subs = await startTestSubscriptions(target);
    receiver = await startReceiver();
  });

  afterEach(async () => {
    await receiver.close();
    await subs.close();
  });

  async function get<T>(path: string): Promise<T> {
    const res = await fetch(`${subs.base}${path}`, {
      headers: await (await testAuth()).bearer('system/Subscription.rs'),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  }

  async function created(subscription: Subscription, scope?: string, claims?: Record<string, unknown>) {
    const res = await subs.create(subscription, scope, claims);
    expect(res.status).toBe(201);
    return (await res.json()) as Subscription;
  }

  const handshake = (r: Receiver) =>
    eventually(
      async () => r.bundles.find((b) => parameterOf(b, 'type') === 'handshake'),
      'the handshake',
      15_000,
    );

  it('activates with a handshake and delivers a full-resource notification of a new report within 2 s, filtered by patient', async () => {
    const subscription = await created(
      reportSubscription(receiver.url, {
        filters: [`DiagnosticReport?patient=${encodeURIComponent(LungCancerPatient.key)}`],
      }),
    );
    expect(subscription.status).toBe('requested');
    const shake = await handshake(receiver);
    expect(shake.type).toBe('history');
    expect(parameterOf(shake, 'events-since-subscription-start')).toBe('0');
    await eventually(
      async () =>
        (await get<Subscription>(`/Subscription/${subscription.id ?? ''}`)).status === 'active'
          ? true
          : undefined,
      'status active',
    );

    const report = reportFor(LungCancerPatient.key);
    const publishedAt = Date.now();
    await subs.publish(reportFor(OTHER_PATIENT), report);
    const notification = await eventually(
      async () => receiver.bundles.find((b) => parameterOf(b, 'type') === 'event-notification'),
      'the notification',
      10_000,
    );
    expect(Date.now() - publishedAt).toBeLessThan(2_000);
    expect(notification.type).toBe('history');
    expect(notification.entry?.[0]?.resource?.resourceType).toBe('Parameters');
    expect(parameterOf(notification, 'events-since-subscription-start')).toBe('1');
    expect((notification.entry?.[1]?.resource as DiagnosticReport).id).toBe(report.id);
    // The other patient's report, published first, never arrives.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.eventNumbers()).toEqual([1]);

    const status = await get<Bundle>(`/Subscription/${subscription.id ?? ''}/$status`);
    expect(parameterOf(status, 'status')).toBe('active');
    expect(parameterOf(status, 'events-since-subscription-start')).toBe('1');
  });

  it('an endpoint that is down turns the subscription to error and, once back, receives every missed notification in order', async () => {
    const subscription = await created(reportSubscription(receiver.url, { payload: 'id-only' }));
    await handshake(receiver);
    receiver.status = 500;
    const reports = [reportFor(OTHER_PATIENT), reportFor(OTHER_PATIENT), reportFor(OTHER_PATIENT)];
    await subs.publish(...reports);
    const path = `/Subscription/${subscription.id ?? ''}`;
    const failed = await eventually(async () => {
      const current = await get<Subscription>(path);
      return current.status === 'error' ? current : undefined;
    }, 'status error');
    expect(failed.error).toMatch(/HTTP 500/);
    receiver.status = 0;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.eventNumbers()).toEqual([]);

    receiver.status = 200;
    await eventually(
      async () => (receiver.eventNumbers().length >= 3 ? true : undefined),
      'the missed events',
    );
    expect(receiver.eventNumbers()).toEqual([1, 2, 3]);
    const ids = receiver.bundles.flatMap((b) => (b.entry ?? []).slice(1).map((e) => e.fullUrl));
    expect(ids).toEqual(reports.map((r) => `http://reports.test/fhir/DiagnosticReport/${r.id ?? ''}`));
    await eventually(
      async () => ((await get<Subscription>(path)).status === 'active' ? true : undefined),
      'active again',
    );

    const replay = await get<Bundle>(`${path}/$events?eventsSinceNumber=2&content=full-resource`);
    expect(parameterOf(replay, 'type')).toBe('query-event');
    expect(replay.entry?.slice(1).map((e) => (e.resource as DiagnosticReport).id)).toEqual([
      reports[1]?.id,
      reports[2]?.id,
    ]);
  });

  it('a subscriber receives only what its scopes allow: another type, another patient, or nothing', async () => {
    const noReports = await startReceiver();
    const patientBound = await startReceiver();
    try {
      await created(reportSubscription(noReports.url), 'system/Subscription.cu system/ServiceRequest.rs', {
        client_id: 'order-viewer',
      });
      await created(reportSubscription(patientBound.url), 'system/Subscription.cu patient/*.rs', {
        client_id: 'patient-app',
        patient: OTHER_PATIENT.slice('Patient/'.length),
      });
      await created(reportSubscription(receiver.url), 'system/Subscription.cu system/DiagnosticReport.rs', {
        client_id: 'ris-viewer',
      });
      await Promise.all([handshake(noReports), handshake(patientBound), handshake(receiver)]);
      const lungReport = reportFor(LungCancerPatient.key);
      const otherReport = reportFor(OTHER_PATIENT);
      await subs.publish(lungReport, otherReport);
      await eventually(async () => (receiver.eventNumbers().length === 2 ? true : undefined), 'both reports');
      await eventually(
        async () => (patientBound.eventNumbers().length === 1 ? true : undefined),
        'its patient',
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(noReports.eventNumbers()).toEqual([]);
      expect(
        patientBound.bundles.flatMap((b) => (b.entry ?? []).slice(1).map((e) => e.resource?.id)),
      ).toEqual([otherReport.id]);
    } finally {
      await noReports.close();
      await patientBound.close();
    }
  });

  it('refuses an unknown topic or filter, an endpoint outside the allow-list and a token without Subscription.cu', async () => {
    const refused = async (res: Response, status: number, text: RegExp) => {
      expect(res.status).toBe(status);
      const outcome = (await res.json()) as OperationOutcome;
      expect(outcome.resourceType).toBe('OperationOutcome');
      expect(JSON.stringify(outcome.issue)).toMatch(text);
    };
    const good = reportSubscription(receiver.url);
    await refused(
      await subs.create({ ...good, criteria: 'https://oncoimg.example.org/fhir/SubscriptionTopic/x' }),
      400,
      /unknown topic/,
    );
    await refused(
      await subs.create(reportSubscription(receiver.url, { filters: ['DiagnosticReport?modality=CT'] })),
      400,
      /cannot filter by/,
    );
    await refused(
      await subs.create(reportSubscription('http://169.254.169.254/latest/meta-data')),
      400,
      /not an allowed address/,
    );
    await refused(await subs.create(good, 'system/DiagnosticReport.rs'), 403, /Subscription/);
    // The same request with the right token succeeds.
    expect((await subs.create(good)).status).toBe(201);
    expect(receiver.bundles).toEqual([]);
    // Each request, refused or not, is in the audit trail.
    const audit = await readTopic(subs.options.brokers, subs.topics.audit);
    try {
      const events = (await audit.waitFor(5)).map(
        (m) => JSON.parse(m.value?.toString() ?? '{}') as AuditEvent,
      );
      expect(events.map((e) => e.outcome)).toEqual(['4', '4', '4', '4', '0']);
      expect(events.every((e) => e.source.observer.display === 'oncoimg/subscription-service')).toBe(true);
    } finally {
      await audit.stop();
    }
  });

  it('reads, searches, updates and deletes a client’s own Subscription, which no other client sees', async () => {
    const owner = { client_id: 'ehr-a' };
    const bearer = async (scope: string, claims = owner) => (await testAuth()).bearer(scope, claims);
    const subscription = await created(reportSubscription(receiver.url), undefined, owner);
    const url = `${subs.base}/Subscription/${subscription.id ?? ''}`;
    await handshake(receiver);
    const search = await fetch(`${subs.base}/Subscription?criteria=${encodeURIComponent(REPORT_TOPIC)}`, {
      headers: await bearer('system/Subscription.rs'),
    });
    expect(((await search.json()) as Bundle).entry?.map((e) => e.resource?.id)).toEqual([subscription.id]);
    const stranger = await fetch(url, {
      headers: await bearer('system/Subscription.rs', { client_id: 'ehr-b' }),
    });
    expect(stranger.status).toBe(404);

    const moved = await startReceiver();
    try {
      const update = await fetch(url, {
        method: 'PUT',
        headers: {
          ...(await bearer('system/Subscription.cu system/DiagnosticReport.rs')),
          'content-type': 'application/fhir+json',
        },
        body: JSON.stringify({ ...reportSubscription(moved.url), id: subscription.id }),
      });
      expect(update.status).toBe(200);
      expect(((await update.json()) as Subscription).meta?.versionId).toBe('2');
      await handshake(moved);
    } finally {
      await moved.close();
    }
    const removed = await fetch(url, { method: 'DELETE', headers: await bearer('system/Subscription.d') });
    expect(removed.status).toBe(200);
    expect((await fetch(url, { headers: await bearer('system/Subscription.rs') })).status).toBe(404);
  });

  it('accepts the README’s subscription with the scopes of its token, and delivers to it', async () => {
    const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## FHIR Subscriptions'));
    const json = /<<'JSON'\n([\s\S]*?)\nJSON\n/.exec(section)?.[1] ?? '';
    const scope = /token --scope '([^']+)'/.exec(section)?.[1];
    const fromReadme = JSON.parse(json) as Subscription;
    fromReadme.channel.endpoint = receiver.url;
    const subscription = await created(fromReadme, scope);
    await handshake(receiver);
    const patientKey = 'https://oncoimg.example.org/fhir/sid/synthetic-mrn|SYN-42-0001';
    await subs.publish(reportFor(OTHER_PATIENT), reportFor(patientKey));
    await eventually(
      async () => (receiver.eventNumbers().length > 0 ? true : undefined),
      'its patient’s report',
    );
    expect(receiver.eventNumbers()).toEqual([1]);
    expect(subscription.channel.extension).toHaveLength(3);
  });

  it('a Subscription is owed only what was published after it was created, even when the topics are read again', async () => {
    const before = reportFor(OTHER_PATIENT);
    await subs.publish(before);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await created(reportSubscription(receiver.url));
    await handshake(receiver);
    await subs.service.stop();
    // A new consumer group reads every topic from the beginning, the older report included.
    const rereading = createSubscriptionService({
      ...subs.options,
      groupId: `${subs.options.groupId ?? ''}-again`,
    });
    try {
      await rereading.start();
      const after = reportFor(OTHER_PATIENT);
      await subs.publish(after);
      await eventually(
        async () => (receiver.eventNumbers().length > 0 ? true : undefined),
        'the newer report',
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(receiver.eventNumbers()).toEqual([1]);
      const ids = receiver.bundles.flatMap((b) => (b.entry ?? []).slice(1).map((e) => e.resource?.id));
      expect(ids).toEqual([after.id]);
    } finally {
      await rereading.stop();
    }
  });

  it('events published while the service is stopped are delivered after it starts again', async () => {
    await created(reportSubscription(receiver.url));
    await handshake(receiver);
    await subs.service.stop();
    const report = reportFor(OTHER_PATIENT);
    await subs.publish(report);
    const restarted = createSubscriptionService(subs.options);
    try {
      await restarted.start();
      await eventually(
        async () => (receiver.eventNumbers().length > 0 ? true : undefined),
        'the report after restart',
      );
      expect(receiver.eventNumbers()).toEqual([1]);
    } finally {
      await restarted.stop();
    }
  });
});
