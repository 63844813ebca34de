import { createServer, type AddressInfo } from 'node:net';
import { createIntakeService, type IntakeService } from '@oncoimg/intake';
import type { Database } from '@oncoimg/store';
import {
  authFetch,
  LungCancerPatient,
  openTestDatabase,
  testAuth,
  testKafkaBrokers,
  uniqueName,
} from '@oncoimg/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.ts';

/** A port that was free a moment ago: nothing answers there. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${String(port)}`;
}

async function oncoimg(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env: { ONCOIMG_TOKEN: await (await testAuth()).token() },
  });
  return { code, stdout, stderr };
}

describe('oncoimg dlq list --outbox', () => {
  let db: Database;
  let service: IntakeService;
  let serviceUrl: string;
  let closedUrl: string;
  const topic = uniqueName('cli-outbox-orders');

  beforeAll(async () => {
    db = await openTestDatabase({ name: 'pglite' });
    service = createIntakeService({
      access: (await testAuth()).access,
      name: 'order-service',
      resourceType: 'ServiceRequest',
      db,
      brokers: testKafkaBrokers(),
      topics: { serviceRequest: topic },
    });
    serviceUrl = `http://127.0.0.1:${String((await service.start()).port)}`;
    closedUrl = await closedPortUrl();
  });

  afterAll(async () => {
    await service.stop();
    await db.close();
  });

  it('says when no service set anything aside', async () => {
    const result = await oncoimg(['dlq', 'list', '--outbox', '--service-urls', `${serviceUrl}/`]);
    expect(result).toEqual({ code: 0, stdout: 'no outbox rows set aside in 1 service(s)\n', stderr: '' });
  });

  it('lists the rows a service set aside without their patient key, and reports a service it cannot ask', async () => {
    await db.query(
      `INSERT INTO outbox_dead_letters (id, topic, message_key, value, headers, created_at, attempts, reason)
       VALUES (9001, $1, $2, $3, '{}', now(), 1, 'MESSAGE_TOO_LARGE: the broker refused it alone')`,
      [topic, LungCancerPatient.key, 'x'.repeat(2048)],
    );
    const result = await oncoimg(['dlq', 'list', '--outbox', '--service-urls', `${serviceUrl},${closedUrl}`]);
    expect(result.code).toBe(1);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^SERVICE\s+ROW\s+TOPIC\s+FAILED AT\s+BYTES\s+REASON$/);
    expect(lines.slice(1)).toHaveLength(1);
    expect(lines[1]).toMatch(
      new RegExp(
        `^${serviceUrl}\\s+9001\\s+${topic}\\s+\\d{4}-\\d\\d-\\d\\dT\\S+Z\\s+2048\\s+MESSAGE_TOO_LARGE: the broker refused it alone$`,
      ),
    );
    expect(result.stdout).not.toContain(LungCancerPatient.key);
    expect(result.stderr).toContain(`${closedUrl}: fetch failed`);
    expect(result.stderr).toContain('ECONNREFUSED');
    expect(result.stderr).toContain('1 outbox row(s) set aside');
  });

  it('shows the dead-letter count and reason in the service status', async () => {
    const status = await (await authFetch(`${serviceUrl}/status`)).json();
    expect(status).toMatchObject({
      outbox: { deadLettered: 1, lastDeadLetterReason: null },
    });
  });
});
