import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Bundle, DiagnosticReport, Parameters, Subscription } from '@medplum/fhirtypes';
import {
  buildBackportSubscription,
  buildImagingEvent,
  encodeEvent,
  type PayloadContent,
  type TopicNames,
} from '@oncoimg/fhir-events';
import { createEventProducer, ensureTopics, type EventProducer } from '@oncoimg/kafka';
import type { Database } from '@oncoimg/store';
import {
  openTestDatabase,
  testAuth,
  testKafkaBrokers,
  testKafkaSecurity,
  uniqueName,
  uniqueTopics,
  type DatabaseTarget,
} from '@oncoimg/testing';
import { FirstResponseChestCtReport } from '@oncoimg/testing/personas';
import { parseAllowList } from './domain/endpoint-allow-list.ts';
import {
  createSubscriptionService,
  type SubscriptionService,
  type SubscriptionServiceOptions,
} from './subscription-service.ts';

export const REPORT_TOPIC = 'https://oncoimg.example.org/fhir/SubscriptionTopic/imaging-report';

/** A rest-hook endpoint in the test: records every Bundle; answers `status` (0: drops the connection). */
export interface Receiver {
  url: string;
  bundles: Bundle[];
  status: number;
  /** Event numbers received in event notifications, in arrival order. */
  eventNumbers(): number[];
  close(): Promise<void>;
}

export function statusOf(bundle: Bundle): Parameters {
  return bundle.entry?.[0]?.resource as Parameters;
}

export function parameterOf(bundle: Bundle, name: string): string | undefined {
  const found = statusOf(bundle).parameter?.find((p) => p.name === name);
  return found?.valueCode ?? found?.valueString;
}

export async function startReceiver(): Promise<Receiver> {
  const receiver = { bundles: [] as Bundle[], status: 200 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (receiver.status === 0) {
        res.socket?.destroy();
        return;
      }
      if (receiver.status < 300) {
        receiver.bundles.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Bundle);
      }
      res.writeHead(receiver.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${String(port)}/hook`,
    eventNumbers: () =>
      receiver.bundles
        .filter((bundle) => parameterOf(bundle, 'type') === 'event-notification')
        .flatMap((bundle) =>
          (statusOf(bundle).parameter ?? [])
            .filter((p) => p.name === 'notification-event')
            .map((p) => Number(p.part?.find((part) => part.name === 'event-number')?.valueString)),
        ),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** A backport Subscription to the report topic, built as subscribers (the CLI) build theirs. */
export function reportSubscription(
  endpoint: string,
  { filters = [], payload = 'full-resource' }: { filters?: string[]; payload?: PayloadContent } = {},
): Subscription {
  return buildBackportSubscription({
    topic: REPORT_TOPIC,
    filters,
    endpoint,
    payload,
    reason: 'imaging reports for the tumour board',
  });
}

/** A new report of `patientKey` (an identifier key or `Patient/{id}`), as the report service would publish it. */
export function reportFor(patientKey: string): DiagnosticReport {
  const [system, value] = patientKey.split('|') as [string, string?];
  return {
    ...FirstResponseChestCtReport,
    id: randomUUID(),
    meta: { versionId: '1', lastUpdated: new Date().toISOString() },
    status: 'final',
    subject: value === undefined ? { reference: patientKey } : { identifier: { system, value } },
  };
}

export interface TestSubscriptions {
  db: Database;
  service: SubscriptionService;
  topics: TopicNames;
  producer: EventProducer;
  base: string;
  options: SubscriptionServiceOptions;
  /** Publishes reports on the run's report topic, in order. */
  publish(...reports: DiagnosticReport[]): Promise<void>;
  /** POSTs a Subscription with a token of `scope` (and claims); answers the Response. */
  create(subscription: Subscription, scope?: string, claims?: Record<string, unknown>): Promise<Response>;
  close(): Promise<void>;
}

/** Fresh topics, a fresh database, the service on them (allowing 127.0.0.1 endpoints) and a producer. */
export async function startTestSubscriptions(
  target: DatabaseTarget,
  overrides: Partial<SubscriptionServiceOptions> = {},
): Promise<TestSubscriptions> {
  const brokers = testKafkaBrokers();
  const security = testKafkaSecurity();
  const topics = uniqueTopics('subs');
  await ensureTopics({ brokers, security, topics: Object.values(topics), numPartitions: 3 });
  const db = await openTestDatabase(target);
  const options: SubscriptionServiceOptions = {
    db,
    brokers,
    kafkaSecurity: security,
    access: (await testAuth()).access,
    port: 0,
    topics,
    groupId: uniqueName('subscriptions'),
    allowList: parseAllowList('http://127.0.0.1:*'),
    retry: { maxFailures: 2, initialMs: 50, maxMs: 300 },
    resourceBase: () => 'http://reports.test/fhir',
    pollMs: 100,
    ...overrides,
  };
  const service = createSubscriptionService(options);
  const { port } = await service.start();
  const producer = createEventProducer({ brokers, security, clientId: 'subscriptions-int-test' });
  await producer.connect();
  const base = `http://127.0.0.1:${String(port)}/fhir`;
  return {
    db,
    service,
    topics,
    producer,
    base,
    options,
    async publish(...reports) {
      for (const resource of reports) {
        const { key, value, headers } = encodeEvent(
          buildImagingEvent({ resource, action: 'created', source: 'oncoimg/report-service' }),
        );
        await producer.send(topics.diagnosticReport, [{ key, value, headers }]);
      }
    },
    async create(subscription, scope = 'system/Subscription.cu system/DiagnosticReport.rs', claims = {}) {
      return fetch(`${base}/Subscription`, {
        method: 'POST',
        headers: {
          ...(await (await testAuth()).bearer(scope, claims)),
          'content-type': 'application/fhir+json',
        },
        body: JSON.stringify(subscription),
      });
    },
    async close() {
      await producer.disconnect();
      await service.stop();
      await db.close();
    },
  };
}
