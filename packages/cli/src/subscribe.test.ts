// `oncoimg subscribe` against a stand-in subscription service that speaks the R4 Backport IG (the
// real one is services/subscription-service): it creates the Subscription, then POSTs a handshake
// and an event notification to the endpoint with the channel header, as the IG describes.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Subscription } from '@medplum/fhirtypes';
import { notificationBundle } from '@oncoimg/testing/personas';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './cli.ts';

interface StandIn {
  base: string;
  created: Subscription[];
  deleted: string[];
  /** Status codes the receiver answered, in order. */
  answers: number[];
}

async function notify(subscription: Subscription, body: unknown, withHeader = true): Promise<number> {
  const [name, value] = (subscription.channel.header?.[0] ?? ':').split(/:\s*/);
  const res = await fetch(subscription.channel.endpoint ?? '', {
    method: 'POST',
    headers: { 'content-type': 'application/fhir+json', ...(withHeader ? { [name]: value } : {}) },
    body: JSON.stringify(body),
  });
  return res.status;
}

async function startStandIn(): Promise<{ standIn: StandIn; server: Server }> {
  const standIn: StandIn = { base: '', created: [], deleted: [], answers: [] };
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      if (req.method === 'DELETE') {
        standIn.deleted.push(req.url ?? '');
        res.writeHead(204).end();
        return;
      }
      const requested = JSON.parse(text) as Subscription;
      if (!requested.criteria.endsWith('/imaging-report')) {
        res.writeHead(400, { 'content-type': 'application/fhir+json' });
        res.end(
          JSON.stringify({
            resourceType: 'OperationOutcome',
            issue: [{ severity: 'error', code: 'invalid', details: { text: 'unknown topic' } }],
          }),
        );
        return;
      }
      const subscription = { ...requested, id: 's1' };
      standIn.created.push(subscription);
      res.writeHead(201, { 'content-type': 'application/fhir+json' }).end(JSON.stringify(subscription));
      void (async () => {
        standIn.answers.push(
          await notify(subscription, notificationBundle({ type: 'event-notification' }), false),
        );
        standIn.answers.push(await notify(subscription, notificationBundle({ type: 'handshake' })));
        standIn.answers.push(
          await notify(
            subscription,
            notificationBundle({
              type: 'event-notification',
              events: [{ eventNumber: '1', focus: 'DiagnosticReport/r1' }],
            }),
          ),
        );
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  standIn.base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/fhir`;
  return { standIn, server };
}

async function subscribe(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['subscribe', ...args], {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env: { ONCOIMG_TOKEN: 'test-token' },
  });
  return { code, stdout, stderr };
}

describe('oncoimg subscribe', () => {
  let standIn: StandIn;
  let server: Server;

  beforeEach(async () => {
    ({ standIn, server } = await startStandIn());
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('creates a backport Subscription, prints the handshake and the event, then deletes it', async () => {
    const run = await subscribe([
      '--url',
      standIn.base,
      '--topic',
      'imaging-report',
      '--filter',
      'DiagnosticReport?patient=Patient/p1',
      '--payload',
      'full-resource',
      '--count',
      '1',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim().split('\n')).toEqual([
      'handshake Subscription/s1 status requested, 0 event(s) since start',
      'event-notification #1 DiagnosticReport/r1 (0 resources) Subscription/s1',
    ]);
    expect(standIn.created[0]).toMatchObject({
      status: 'requested',
      criteria: 'https://oncoimg.example.org/fhir/SubscriptionTopic/imaging-report',
      _criteria: { extension: [{ valueString: 'DiagnosticReport?patient=Patient/p1' }] },
      channel: {
        type: 'rest-hook',
        payload: 'application/fhir+json',
        _payload: { extension: [{ valueCode: 'full-resource' }] },
      },
    });
    // A notification without the channel header is refused; with it, taken.
    expect(standIn.answers).toEqual([401, 200, 200]);
    expect(standIn.deleted).toEqual(['/fhir/Subscription/s1']);
    expect(run.stderr).toContain('Subscription/s1 deleted');
  });

  it('exits 1 with the OperationOutcome when the service refuses the Subscription', async () => {
    const run = await subscribe([
      '--url',
      standIn.base,
      '--topic',
      'https://oncoimg.example.org/fhir/SubscriptionTopic/imaging-nothing',
      '--count',
      '1',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('the Subscription was refused: unknown topic');
    expect(standIn.created).toEqual([]);
  });

  it('exits 2 on a wrong command line', async () => {
    expect((await subscribe(['--url', standIn.base])).code).toBe(2);
    expect((await subscribe(['--topic', 'imaging-report', '--payload', 'everything'])).code).toBe(2);
  });
});
