/**
 * The subscription service's REST contract (infra/asyncapi/subscriptions.openapi.yaml) against the
 * service itself: every documented GET answers 200 with a body matching its schema, and the
 * notifications it POSTs match the documented webhook.
 */
import type { Subscription } from '@medplum/fhirtypes';
import { eventually, testAuth } from '@oncoimg/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  reportFor,
  reportSubscription,
  startReceiver,
  startTestSubscriptions,
  type Receiver,
  type TestSubscriptions,
} from '../../services/subscription-service/src/subscription-service.fixtures.ts';
import { DEFAULT_SUBSCRIPTION_GROUP_ID } from '../../services/subscription-service/src/subscription-service.ts';
import {
  openApiValidators,
  parseAsyncApi,
  readOpenApi,
  refsIn,
  resolvePointer,
  SUBSCRIPTIONS_OPENAPI_PATH,
  type OpenApiDocument,
} from './contract-documents.ts';

describe('the subscription REST contract (infra/asyncapi/subscriptions.openapi.yaml)', () => {
  let doc: OpenApiDocument;
  let compile: ReturnType<typeof openApiValidators>;
  let subs: TestSubscriptions;
  let receiver: Receiver;
  let subscriptionId: string;

  beforeAll(async () => {
    doc = await readOpenApi(SUBSCRIPTIONS_OPENAPI_PATH);
    compile = openApiValidators(doc);
    subs = await startTestSubscriptions({ name: 'pglite' });
    receiver = await startReceiver();
    const res = await subs.create(reportSubscription(receiver.url));
    subscriptionId = ((await res.json()) as Subscription).id ?? '';
    await subs.publish(reportFor('Patient/contract'));
    await eventually(async () => (receiver.eventNumbers().length > 0 ? true : undefined), 'a notification');
  });

  afterAll(async () => {
    await receiver.close();
    await subs.close();
  });

  it('has no dangling reference and schemas that compile', () => {
    expect(refsIn(doc).filter((ref) => resolvePointer(doc, ref) === undefined)).toEqual([]);
    for (const name of Object.keys(doc.components.schemas)) {
      expect(() => compile({ $ref: `#/components/schemas/${name}` }), name).not.toThrow();
    }
  });

  it('answers every documented GET with 200 and a body matching its schema', async () => {
    const headers = await (await testAuth()).bearer('system/Subscription.rs');
    for (const [path, operations] of Object.entries(doc.paths)) {
      const operation = operations.get;
      // /metrics answers once telemetry is started (main.ts), which an in-process service under test is not.
      if (!operation || path === '/metrics') {
        continue;
      }
      const id = path.startsWith('/fhir/Subscription/') ? subscriptionId : 'imaging-report';
      const url = `${subs.base.replace(/\/fhir$/, '')}${path.replace('{id}', id)}`;
      const res = await fetch(url, { headers });
      expect(res.status, path).toBe(200);
      const content = operation.responses['200'] as { content?: Record<string, { schema?: unknown }> };
      const [type, media] = Object.entries(content.content ?? {})[0] as [string, { schema?: unknown }];
      if (type === 'text/plain' || media.schema === undefined) {
        continue;
      }
      const validate = compile(media.schema);
      expect(validate(await res.json()), `${path}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('POSTs notifications matching the documented webhook', () => {
    const webhook = (
      doc as unknown as {
        webhooks: Record<string, { post: { requestBody: { content: Record<string, { schema: unknown }> } } }>;
      }
    ).webhooks.notification.post.requestBody.content['application/fhir+json'];
    const validate = compile(webhook.schema);
    expect(receiver.bundles.length).toBeGreaterThan(1);
    for (const bundle of receiver.bundles) {
      expect(validate(bundle), JSON.stringify(validate.errors)).toBe(true);
    }
    expect(validate({ resourceType: 'Bundle', type: 'history', entry: [] })).toBe(false);
  });

  it('names the consumer group of the service configuration in the AsyncAPI document', async () => {
    const { document } = await parseAsyncApi();
    const operation = document?.operations().get('subscriptionsReceiveDiagnosticReports');
    const binding = operation?.bindings().get('kafka')?.value<{ groupId: { default: string } }>();
    expect(binding?.groupId.default).toBe(DEFAULT_SUBSCRIPTION_GROUP_ID);
  });
});
