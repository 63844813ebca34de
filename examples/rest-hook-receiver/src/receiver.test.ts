import { formatNotification, type Notification } from '@oncoimg/fhir-events';
import { notificationBundle } from '@oncoimg/testing/personas';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRestHookReceiver, type RestHookReceiver } from './receiver.ts';

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/fhir+json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('the rest-hook receiver example (real HTTP)', () => {
  let receiver: RestHookReceiver;
  let received: Notification[];
  let failNext: boolean;

  beforeEach(async () => {
    received = [];
    failNext = false;
    receiver = await startRestHookReceiver({
      requiredHeader: { name: 'X-Receiver-Secret', value: 's3cret' },
      onNotification: (notification) => {
        if (failNext) {
          failNext = false;
          throw new Error('disk full');
        }
        received.push(notification);
      },
    });
  });
  afterEach(async () => {
    await receiver.close();
  });

  const secret = { 'X-Receiver-Secret': 's3cret' };

  it('answers a handshake, a heartbeat and an event notification with 200, and hands each over', async () => {
    const report = {
      resourceType: 'DiagnosticReport' as const,
      id: 'r1',
      status: 'final' as const,
      code: { text: 'CT' },
    };
    for (const bundle of [
      notificationBundle({ type: 'handshake' }),
      notificationBundle({ type: 'heartbeat' }),
      notificationBundle({
        type: 'event-notification',
        events: [{ eventNumber: '1', focus: 'http://127.0.0.1:8083/fhir/DiagnosticReport/r1' }],
        resources: [report],
      }),
    ]) {
      expect((await post(receiver.url, bundle, secret)).status).toBe(200);
    }
    expect(received.map(formatNotification)).toEqual([
      'handshake Subscription/s1 status requested, 0 event(s) since start',
      'heartbeat Subscription/s1 status active, 0 event(s) since start',
      'event-notification #1 DiagnosticReport/r1 (1 resource) Subscription/s1',
    ]);
    expect(received[2].resources).toEqual([report]);
  });

  it('refuses a body that is not a notification with 400 and an OperationOutcome, and hands nothing over', async () => {
    const notJson = await post(receiver.url, '{oops', secret);
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ resourceType: 'OperationOutcome' });
    expect((await post(receiver.url, { resourceType: 'Bundle', type: 'searchset' }, secret)).status).toBe(
      400,
    );
    expect(received).toEqual([]);
  });

  it('refuses a notification without the channel header (401); with it, the same notification is taken', async () => {
    const bundle = notificationBundle({ type: 'heartbeat' });
    expect((await post(receiver.url, bundle)).status).toBe(401);
    expect((await post(receiver.url, bundle, { 'X-Receiver-Secret': 'guess' })).status).toBe(401);
    expect((await post(receiver.url, bundle, secret)).status).toBe(200);
    expect(received).toHaveLength(1);
  });

  it('answers 500 when the handler fails, so the service sends the notification again', async () => {
    failNext = true;
    const bundle = notificationBundle({
      type: 'event-notification',
      events: [{ eventNumber: '7', focus: 'DiagnosticReport/r7' }],
    });
    expect((await post(receiver.url, bundle, secret)).status).toBe(500);
    expect((await post(receiver.url, bundle, secret)).status).toBe(200);
    expect(received.map((n) => n.events[0]?.eventNumber)).toEqual(['7']);
  });

  it('answers other paths with 404 and other methods with 405', async () => {
    expect((await post(receiver.url.replace('/notifications', '/other'), {}, secret)).status).toBe(404);
    expect((await fetch(receiver.url)).status).toBe(405);
  });
});
