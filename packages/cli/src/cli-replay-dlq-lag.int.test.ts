import { deadLetterTopicFor } from '@oncoimg/fhir-events';
import { createConsumerRunner, NonRetriableError } from '@oncoimg/kafka';
import { readTopic, uniqueName } from '@oncoimg/testing';
import { describe, expect, it } from 'vitest';
import {
  admin,
  brokers,
  security,
  createTopic,
  endOffsets,
  groups,
  oncoimg,
  producer,
  runners,
  sleep,
  topics,
  useCliKafka,
} from './cli.fixtures.ts';

useCliKafka();

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
      security,
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
      security,
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
