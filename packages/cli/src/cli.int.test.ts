import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIntakeService, type IntakeService } from '@oncoimg/intake';
import {
  BaselineChestCtOrder,
  DiagnosticChestXrayOrder,
  LungCancerPatient,
  openTestDatabase,
  readTopic,
  ResponsePatient,
  uniqueName,
  testAuth,
} from '@oncoimg/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from './cli.ts';
import { brokers, createTopic, oncoimg, orderEvent, producer, topics, useCliKafka } from './cli.fixtures.ts';

useCliKafka();

describe('oncoimg tail', () => {
  it('prints the events of a topic with key, offsets, CloudEvents headers and payload, and filters by patient', async () => {
    const topic = await createTopic('tail');
    const other = orderEvent(DiagnosticChestXrayOrder);
    const baseline = orderEvent(BaselineChestCtOrder);
    const responseOrder = orderEvent({
      ...BaselineChestCtOrder,
      id: 'cli-response-order',
      subject: { type: 'Patient', identifier: { ...ResponsePatient.identifier } },
    });
    await producer.send({ topic, messages: [responseOrder, other, baseline] });

    const all = await oncoimg(['tail', topic, '--from-beginning', '--limit', '2']);
    expect(all.code).toBe(0);
    expect(all.stdout).toContain(`── ${topic}  partition 0  offset 0`);
    expect(all.stdout).toMatch(/ce_type\s+imaging\.servicerequest\.created/);
    expect(all.stdout).toContain('"resourceType": "ServiceRequest"');
    expect(all.stdout).toContain(ResponsePatient.key);
    expect(all.stdout).not.toContain('offset 2');

    const one = await oncoimg([
      'tail',
      topic,
      '--from-beginning',
      '--patient',
      LungCancerPatient.key,
      '--limit',
      '2',
    ]);
    expect(one.code).toBe(0);
    expect(one.stdout).not.toContain(ResponsePatient.key);
    expect(one.stdout).toContain(`offset 1`);
    expect(one.stdout).toContain(`offset 2`);
    expect(one.stdout).toContain(`"id": "${String(DiagnosticChestXrayOrder.id)}"`);
    expect(one.stdout).toContain(`"id": "${String(BaselineChestCtOrder.id)}"`);
    expect(one.stderr).toContain('2 event(s)');
  });

  it('without --from-beginning prints only what arrives after it started, until Ctrl-C', async () => {
    const topic = await createTopic('tail-follow', 3);
    await producer.send({ topic, messages: [orderEvent(DiagnosticChestXrayOrder)] });
    const interrupt = new AbortController();
    let ready: () => void = () => {};
    const started = new Promise<void>((resolve) => (ready = resolve));
    const running = oncoimg(['tail', topic], {
      signal: interrupt.signal,
      onStderr: (text) => {
        if (text.includes('tailing')) {
          ready();
        }
      },
      onStdout: (text) => {
        if (text.includes(`"id": "${String(BaselineChestCtOrder.id)}"`)) {
          interrupt.abort();
        }
      },
    });
    await started;
    await producer.send({ topic, messages: [orderEvent(BaselineChestCtOrder)] });
    const timeout = setTimeout(() => interrupt.abort(), 20_000);
    const { code, stdout } = await running;
    clearTimeout(timeout);
    expect(code).toBe(0);
    expect(stdout).toContain(`"id": "${String(BaselineChestCtOrder.id)}"`);
    expect(stdout).not.toContain(`"id": "${String(DiagnosticChestXrayOrder.id)}"`);
  });

  it('fails with exit 1 for a topic that does not exist', async () => {
    const { code, stderr } = await oncoimg(['tail', uniqueName('cli-missing'), '--limit', '1']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/topic cli-missing-\S+ does not exist/);
  });
});

describe('oncoimg publish', () => {
  let service: IntakeService;
  let orderUrl: string;
  let topic: string;
  let dir: string;

  beforeAll(async () => {
    topic = uniqueName('cli-orders');
    topics.push(topic);
    const db = await openTestDatabase({ name: 'pglite' });
    service = createIntakeService({
      access: (await testAuth()).access,
      name: 'order-service',
      resourceType: 'ServiceRequest',
      db,
      brokers,
      topics: { serviceRequest: topic },
      port: 0,
    });
    const { port } = await service.start();
    orderUrl = `http://127.0.0.1:${String(port)}/fhir`;
    dir = await mkdtemp(join(tmpdir(), 'oncoimg-cli-'));
  });

  afterAll(async () => {
    await service.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function file(name: string, content: unknown): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, JSON.stringify(content));
    return path;
  }

  it('sends a ServiceRequest to the order service, prints 201 and the Location, and the event is published', async () => {
    const { id: _id, meta: _meta, ...order } = BaselineChestCtOrder;
    const reader = await readTopic(brokers, topic);
    try {
      const result = await oncoimg(['publish', await file('order.json', order), '--order-url', orderUrl]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(
        new RegExp(
          `^201 Created\\s+POST ${orderUrl}/ServiceRequest\\s+Location: ${orderUrl}/ServiceRequest/[^/\\s]+/_history/1\\n$`,
        ),
      );
      const events = await reader.waitFor(1);
      expect(events.map((event) => event.key)).toEqual([LungCancerPatient.key]);
    } finally {
      await reader.stop();
    }
  });

  it('sends a transaction Bundle to the service base and prints each entry', async () => {
    const { id: _a, meta: _b, ...first } = DiagnosticChestXrayOrder;
    const { id: _c, meta: _d, ...second } = BaselineChestCtOrder;
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [first, second].map((resource) => ({
        resource,
        request: { method: 'POST', url: 'ServiceRequest' },
      })),
    };
    const { code, stdout } = await oncoimg([
      'publish',
      await file('bundle.json', bundle),
      '--order-url',
      orderUrl,
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain(`200 OK  POST ${orderUrl} (transaction, 2 entries)`);
    expect(stdout).toMatch(/entry\[0\] 201 Created\s+Location: http:\S+\/ServiceRequest\//);
    expect(stdout).toMatch(/entry\[1\] 201 Created\s+Location: http:\S+\/ServiceRequest\//);
  });

  it('prints the OperationOutcome issues of a rejected resource and exits 1', async () => {
    const { subject: _subject, id: _id, meta: _meta, ...orderWithoutPatient } = BaselineChestCtOrder;
    const { code, stdout } = await oncoimg([
      'publish',
      await file('no-subject.json', orderWithoutPatient),
      '--order-url',
      orderUrl,
    ]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^4\d\d /);
    expect(stdout).toMatch(/\n {2}error \S+: .*subject/i);
  });

  it('fails with exit 1 when the service is unreachable or the file is not a resource it takes', async () => {
    const path = await file('order2.json', { ...BaselineChestCtOrder, id: undefined });
    const down = await oncoimg(['publish', path, '--order-url', 'http://127.0.0.1:1/fhir']);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(
      'could not reach the order service at http://127.0.0.1:1/fhir/ServiceRequest',
    );

    const patient = await oncoimg(['publish', await file('patient.json', { resourceType: 'Patient' })]);
    expect(patient.code).toBe(1);
    expect(patient.stderr).toContain('no service takes Patient');

    const mixed = await oncoimg([
      'publish',
      await file('mixed.json', {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          {
            resource: { resourceType: 'ServiceRequest' },
            request: { method: 'POST', url: 'ServiceRequest' },
          },
          { resource: { resourceType: 'ImagingStudy' }, request: { method: 'POST', url: 'ImagingStudy' } },
        ],
      }),
    ]);
    expect(mixed.code).toBe(1);
    expect(mixed.stderr).toContain('a transaction is atomic within one service');
  });
});

describe('README', () => {
  it('shows the usage line of every command exactly as --help prints it', async () => {
    const readme = await readFile(join(import.meta.dirname, '..', 'README.md'), 'utf8');
    for (const command of COMMANDS) {
      const usage = command.help.split('\n')[0]?.replace(/^Usage: /, '') ?? '';
      expect(readme, command.name).toContain(`\n${usage}\n`);
    }
  });
});
