import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImagingEvent, deadLetterTopicFor, encodeEvent } from '@oncoimg/fhir-events';
import { createIntakeService, type IntakeService } from '@oncoimg/intake';
import { createConsumerRunner, NonRetriableError, type ConsumerRunner } from '@oncoimg/kafka';
import {
  BaselineChestCtOrder,
  DiagnosticChestXrayOrder,
  LungCancerPatient,
  openTestDatabase,
  readTopic,
  ResponsePatient,
  testKafkaBrokers,
  uniqueName,
} from '@oncoimg/testing';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS, runCli } from './cli.ts';

const brokers = testKafkaBrokers();
const kafka = new Kafka({ clientId: 'cli-int-test', brokers, logLevel: logLevel.NOTHING });
let admin: Admin;
let producer: Producer;
const topics: string[] = [];
const groups: string[] = [];
const runners: ConsumerRunner[] = [];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process against the test broker; `onStderr` sees stderr as it is written. */
async function oncoimg(
  argv: string[],
  options: {
    onStderr?: (text: string) => void;
    onStdout?: (text: string) => void;
    signal?: AbortSignal;
  } = {},
): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: {
      write: (chunk: string) => {
        stdout += chunk;
        options.onStdout?.(stdout);
      },
    },
    stderr: {
      write: (chunk: string) => {
        stderr += chunk;
        options.onStderr?.(stderr);
      },
    },
    env: { KAFKA_BROKERS: brokers.join(',') },
    signal: options.signal,
  });
  return { code, stdout, stderr };
}

async function createTopic(prefix: string, numPartitions = 1): Promise<string> {
  const topic = uniqueName(`cli-${prefix}`);
  topics.push(topic);
  await admin.createTopics({ topics: [{ topic, numPartitions }], waitForLeaders: true });
  return topic;
}

/** The event of an order as the order service publishes it: patient key, CloudEvents headers, FHIR JSON. */
function orderEvent(order: typeof BaselineChestCtOrder) {
  return encodeEvent(
    buildImagingEvent({ resource: order, action: 'created', source: 'oncoimg/order-service' }),
  );
}

async function endOffsets(topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, { high }) => sum + Number(high), 0);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
});

afterEach(async () => {
  await Promise.all(runners.splice(0).map((runner) => runner.stop()));
});

afterAll(async () => {
  await producer.disconnect();
  await admin.deleteGroups(groups).catch(() => {});
  const existing = new Set(await admin.listTopics());
  const created = [...topics, ...topics.map(deadLetterTopicFor)].filter((topic) => existing.has(topic));
  if (created.length > 0) {
    await admin.deleteTopics({ topics: created }).catch(() => {});
  }
  await admin.disconnect();
});

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

describe('oncoimg replay', () => {
  async function seed(topic: string, count: number, from = 0) {
    await producer.send({
      topic,
      messages: Array.from({ length: count }, (_, i) => ({
        key: `patient-${String(from + i)}`,
        value: JSON.stringify({ n: from + i }),
        headers: { ce_id: `event-${String(from + i)}`, ce_type: 'imaging.servicerequest.created' },
      })),
    });
  }

  it('copies the messages from an offset with keys and headers, plus replayed_from', async () => {
    const topic = await createTopic('replay');
    const target = uniqueName('cli-replay-copy');
    topics.push(target);
    await seed(topic, 4);

    const { code, stdout } = await oncoimg(['replay', '--topic', topic, '--from', '2', '--to-topic', target]);
    expect(code).toBe(0);
    expect(stdout).toContain(`replayed 2 message(s) from ${topic} to ${target}`);
    expect(await endOffsets(target)).toBe(2);
    const reader = await readTopic(brokers, target);
    try {
      const copies = await reader.waitFor(2);
      expect(
        copies.map((m) => [m.key, m.value?.toString(), m.headers.ce_id, m.headers.replayed_from]),
      ).toEqual([
        ['patient-2', '{"n":2}', 'event-2', `${topic}/0/2`],
        ['patient-3', '{"n":3}', 'event-3', `${topic}/0/3`],
      ]);
    } finally {
      await reader.stop();
    }
  });

  it('replays into the same topic up to where it ended, and honours --limit', async () => {
    const topic = await createTopic('replay-self');
    await seed(topic, 3);
    const { code } = await oncoimg(['replay', '--topic', topic, '--from', '0']);
    expect(code).toBe(0);
    expect(await endOffsets(topic)).toBe(6);
    const limited = await oncoimg(['replay', '--topic', topic, '--from', '0', '--limit', '2']);
    expect(limited.stdout).toContain('replayed 2 message(s)');
    expect(await endOffsets(topic)).toBe(8);
  });

  it('copies only the partition asked for', async () => {
    const topic = await createTopic('replay-partition', 2);
    const target = uniqueName('cli-replay-partition-copy');
    topics.push(target);
    await seed(topic, 10);
    const inPartition1 = Number((await admin.fetchTopicOffsets(topic)).find((p) => p.partition === 1)?.high);
    expect(inPartition1).toBeGreaterThan(0);
    expect(inPartition1).toBeLessThan(10);

    const { code } = await oncoimg([
      'replay',
      '--topic',
      topic,
      '--from',
      '0',
      '--partition',
      '1',
      '--to-topic',
      target,
    ]);
    expect(code).toBe(0);
    expect(await endOffsets(target)).toBe(inPartition1);
    const reader = await readTopic(brokers, target);
    try {
      const copies = await reader.waitFor(inPartition1);
      expect(copies.every((m) => m.headers.replayed_from.startsWith(`${topic}/1/`))).toBe(true);
    } finally {
      await reader.stop();
    }
  });

  it('copies the messages from a time on', async () => {
    const topic = await createTopic('replay-time', 2);
    const target = uniqueName('cli-replay-time-copy');
    topics.push(target);
    await seed(topic, 3);
    await sleep(50);
    const from = new Date().toISOString();
    await sleep(50);
    await seed(topic, 2, 3);

    const { code, stdout } = await oncoimg([
      'replay',
      '--topic',
      topic,
      '--from',
      from,
      '--to-topic',
      target,
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('replayed 2 message(s)');
    const reader = await readTopic(brokers, target);
    try {
      const copies = await reader.waitFor(2);
      expect(copies.map((m) => m.key).sort()).toEqual(['patient-3', 'patient-4']);
    } finally {
      await reader.stop();
    }
  });
});

describe('oncoimg dlq', () => {
  it('lists a dead letter a consumer rejected, redrives it once, and a second redrive sends nothing', async () => {
    const topic = await createTopic('dlq-source');
    const dlq = deadLetterTopicFor(topic);
    const group = uniqueName('cli-redrive');
    groups.push(group);
    const runner = createConsumerRunner({
      brokers,
      clientId: 'cli-int-test',
      groupId: uniqueName('cli-dlq-consumer'),
      topics: [topic],
      handler: (message) => {
        if (message.key === 'poison') {
          return Promise.reject(new NonRetriableError('value is not a FHIR resource'));
        }
        return Promise.resolve();
      },
    });
    runners.push(runner);
    await runner.start();
    await producer.send({
      topic,
      messages: [
        { key: 'fine', value: '{}', headers: { ce_id: 'e-fine' } },
        { key: 'poison', value: 'garbage', headers: { ce_id: 'e-poison' } },
      ],
    });
    for (let waited = 0; runner.stats().deadLettered < 1; waited += 100) {
      if (waited > 30_000) {
        throw new Error('the consumer never dead-lettered the message');
      }
      await sleep(100);
    }
    await runner.stop();

    const list = await oncoimg(['dlq', 'list', '--topic', dlq]);
    expect(list.code).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines.at(0)).toMatch(/^DEAD LETTER\s+FAILED AT\s+ORIGINAL\s+ERROR\s+REASON$/);
    expect(lines.slice(1).map((line) => line.split(/\s{2,}/))).toEqual([
      [
        `${dlq}/0/0`,
        expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        `${topic}/0/1`,
        'NonRetriableError',
        'value is not a FHIR resource',
      ],
    ]);

    const first = await oncoimg(['dlq', 'redrive', '--topic', dlq, '--group', group]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`${dlq}/0/0 → ${topic}`);
    expect(first.stdout).toContain('redriven 1 dead letter(s)');
    expect(await endOffsets(topic)).toBe(3);
    const reader = await readTopic(brokers, topic);
    try {
      const redriven = (await reader.waitFor(3)).at(2);
      expect(redriven?.key).toBe('poison');
      expect(redriven?.value?.toString()).toBe('garbage');
      expect(redriven?.headers).toMatchObject({ ce_id: 'e-poison', redriven_from: `${dlq}/0/0` });
      expect(Object.keys(redriven?.headers ?? {}).filter((name) => name.startsWith('dlq_'))).toEqual([]);
    } finally {
      await reader.stop();
    }

    const second = await oncoimg(['dlq', 'redrive', '--topic', dlq, '--group', group]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('nothing to redrive');
    expect(await endOffsets(topic)).toBe(3);
  });
});

describe('oncoimg lag', () => {
  it("prints a group's committed offset, end offset and lag per partition", async () => {
    const topic = await createTopic('lag');
    const groupId = uniqueName('cli-lag-group');
    groups.push(groupId);
    let processed = 0;
    const runner = createConsumerRunner({
      brokers,
      clientId: 'cli-int-test',
      groupId,
      topics: [topic],
      handler: () => {
        processed += 1;
        return Promise.resolve();
      },
    });
    runners.push(runner);
    await runner.start();
    await producer.send({ topic, messages: [1, 2, 3].map((n) => ({ key: 'k', value: String(n) })) });
    for (let waited = 0; processed < 3; waited += 100) {
      if (waited > 30_000) {
        throw new Error('the consumer never processed the messages');
      }
      await sleep(100);
    }
    // A running group: its topics come from the members' assignments.
    let running: string[][] = [];
    for (let waited = 0; waited < 15_000; waited += 250) {
      const { stdout } = await oncoimg(['lag', '--group', groupId]);
      running = stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split(/\s+/));
      if (running.at(0)?.at(3) === '3') {
        break;
      }
      await sleep(250);
    }
    expect(running).toEqual([[groupId, topic, '0', '3', '3', '0']]);
    await runner.stop();
    await producer.send({ topic, messages: [4, 5].map((n) => ({ key: 'k', value: String(n) })) });

    // A stopped group: its topics are those it committed on. The broker takes a moment to see
    // the last member leave, so the answer is awaited rather than read once.
    let code = -1;
    let lines: string[] = [];
    for (let waited = 0; waited < 15_000; waited += 250) {
      const result = await oncoimg(['lag', '--group', groupId]);
      code = result.code;
      lines = result.stdout.trim().split('\n');
      if (code === 0 && lines.at(1)?.split(/\s+/).at(4) === '5') {
        break;
      }
      await sleep(250);
    }
    expect(code).toBe(0);
    expect(lines[0]).toMatch(/^GROUP\s+TOPIC\s+PARTITION\s+COMMITTED\s+END\s+LAG$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/))).toEqual([[groupId, topic, '0', '3', '5', '2']]);
  });

  it('fails with exit 1 for an unknown group and for an unreachable broker', async () => {
    const unknown = await oncoimg(['lag', '--group', uniqueName('cli-no-such-group')]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/consumer group cli-no-such-group-\S+ does not exist/);

    const down = await oncoimg(['lag', '--brokers', '127.0.0.1:1']);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('failed on 127.0.0.1:1');
    expect(down.stderr).toContain('ECONNREFUSED');
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
