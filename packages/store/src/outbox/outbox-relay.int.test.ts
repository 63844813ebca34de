import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Database } from '../database.ts';
import { migrate } from '../migrate.ts';
import { openSecondInstance, openTestDatabase, testDatabaseTargets } from '@oncoimg/testing';
import { enqueueOutbox, type OutboxMessage } from './enqueue-outbox.ts';
import { createOutboxRelay, type OutboxRelay, type OutgoingOutboxMessage } from './outbox-relay.ts';
import { outboxMigrations } from './outbox.migrations.ts';
import { pruneSentOutbox } from './prune-sent-outbox.ts';

interface Published extends OutgoingOutboxMessage {
  topic: string;
  producer: string;
}

/**
 * A test double of our producer interface (@oncoimg/kafka's EventProducer). Every send lands in
 * the shared `log` in the order sends happened; `down` makes sends throw like an unreachable broker.
 */
function fakeProducer(name: string, log: Published[], { delayMs = 0 } = {}) {
  const producer = {
    down: false,
    calls: 0,
    gate: undefined as Promise<void> | undefined,
    async send(topic: string, messages: OutgoingOutboxMessage[]): Promise<void> {
      producer.calls += 1;
      if (producer.gate) {
        await producer.gate;
      }
      if (delayMs > 0) {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
      if (producer.down) {
        throw Object.assign(new Error('broker unreachable'), { code: 'KAFKA_UNAVAILABLE' });
      }
      log.push(...messages.map((message) => ({ ...message, topic, producer: name })));
    },
  };
  return producer;
}

const message = (topic: string, key: string, value: string): OutboxMessage => ({
  topic,
  key,
  value,
  headers: { ce_id: value },
});

const fastBackoff = { initialMs: 5, maxMs: 20 };

describe.each(testDatabaseTargets())('outbox relay on $name', (target) => {
  let db: Database;
  const relays: OutboxRelay[] = [];
  beforeEach(async () => {
    db = await openTestDatabase(target);
    await migrate(db, outboxMigrations);
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((relay) => relay.stop()));
    await db.close();
  });
  const relay = (options: Omit<Parameters<typeof createOutboxRelay>[0], 'db'> & { db?: Database }) => {
    const created = createOutboxRelay({ db, pollIntervalMs: 5, backoff: fastBackoff, ...options });
    relays.push(created);
    return created;
  };

  it('publishes committed messages in insertion order, grouped per topic, and marks them sent', async () => {
    await db.transaction((tx) =>
      enqueueOutbox(tx, [
        message('orders', 'patient-a', 'o1'),
        message('studies', 'patient-a', 's1'),
        message('orders', 'patient-b', 'o2'),
        message('orders', 'patient-a', 'o3'),
      ]),
    );
    const log: Published[] = [];
    const producer = fakeProducer('one', log);
    expect(await relay({ producer }).flush()).toBe(4);
    expect(log.map((m) => [m.topic, m.key, m.value])).toEqual([
      ['orders', 'patient-a', 'o1'],
      ['orders', 'patient-b', 'o2'],
      ['orders', 'patient-a', 'o3'],
      ['studies', 'patient-a', 's1'],
    ]);
    expect(log[0]?.headers).toEqual({ ce_id: 'o1' });
    expect(producer.calls).toBe(2);
    const { rows } = await db.query<{ pending: number }>(
      'SELECT count(*) FILTER (WHERE sent_at IS NULL)::int AS pending FROM outbox',
    );
    expect(rows[0]?.pending).toBe(0);
  });

  it('publishes nothing that was enqueued in a transaction that rolled back', async () => {
    await expect(
      db.transaction(async (tx) => {
        await enqueueOutbox(tx, message('orders', 'k', 'never'));
        throw new Error('write refused');
      }),
    ).rejects.toThrow('write refused');
    const log: Published[] = [];
    expect(await relay({ producer: fakeProducer('one', log) }).flush()).toBe(0);
    expect(log).toEqual([]);
  });

  it('sends binary values as the same bytes', async () => {
    await db.transaction((tx) =>
      enqueueOutbox(tx, { topic: 't', key: 'k', value: Buffer.from([0, 159, 255]) }),
    );
    const log: Published[] = [];
    await relay({ producer: fakeProducer('one', log) }).flush();
    expect(log[0]?.value).toEqual(Buffer.from([0, 159, 255]));
  });

  it('works through a backlog larger than one batch', async () => {
    await db.transaction((tx) =>
      enqueueOutbox(
        tx,
        Array.from({ length: 25 }, (_, i) => message('t', `k${i % 3}`, String(i))),
      ),
    );
    const log: Published[] = [];
    expect(await relay({ producer: fakeProducer('one', log), batchSize: 10 }).flush()).toBe(25);
    expect(log.map((m) => Number(m.value))).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  it('keeps rows pending while the producer fails, then publishes each once, in order, when it recovers', async () => {
    const log: Published[] = [];
    const producer = fakeProducer('one', log);
    producer.down = true;
    const running = relay({ producer, batchSize: 4 });
    running.start();
    for (let i = 0; i < 10; i++) {
      await db.transaction((tx) => enqueueOutbox(tx, message('t', `k${i % 2}`, String(i))));
    }
    await vi.waitFor(
      () => {
        expect(running.status().consecutiveFailures).toBeGreaterThanOrEqual(3);
      },
      {
        timeout: 10_000,
      },
    );
    const down = await running.readStatus();
    expect(down.backlog).toBe(10);
    expect(down.lastError).toContain('broker unreachable');
    expect(down.oldestPendingAgeMs).toBeGreaterThanOrEqual(0);
    const { rows } = await db.query<{ attempts: number; last_error: string }>(
      'SELECT attempts, last_error FROM outbox ORDER BY id LIMIT 1',
    );
    expect(rows[0]?.attempts).toBeGreaterThanOrEqual(1);
    expect(rows[0]?.last_error).toContain('KAFKA_UNAVAILABLE');
    expect(log).toEqual([]);

    producer.down = false;
    await vi.waitFor(
      async () => {
        expect((await running.readStatus()).backlog).toBe(0);
      },
      { timeout: 10_000 },
    );
    expect(log.map((m) => m.value)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    const healthy = running.status();
    expect(healthy.consecutiveFailures).toBe(0);
    expect(healthy.lastPublishedAt).not.toBeNull();
    expect(healthy.oldestPendingAgeMs).toBeNull();
  });

  it('marks the topics that were published before a failure and retries only the rest', async () => {
    await db.transaction((tx) => enqueueOutbox(tx, [message('a', 'k', 'a1'), message('b', 'k', 'b1')]));
    const log: Published[] = [];
    let sends = 0;
    const producer = {
      async send(topic: string, messages: OutgoingOutboxMessage[]) {
        sends += 1;
        if (sends === 2) {
          throw new Error('second topic failed');
        }
        log.push(...messages.map((m) => ({ ...m, topic, producer: 'flaky' })));
        await Promise.resolve();
      },
    };
    const flaky = relay({ producer });
    await expect(flaky.flush()).rejects.toThrow('second topic failed');
    expect(await flaky.flush()).toBe(1);
    expect(log.map((m) => m.value)).toEqual(['a1', 'b1']);
  });

  it('gives up on a send that hangs, keeping its rows pending', async () => {
    await db.transaction((tx) => enqueueOutbox(tx, message('t', 'k', 'v')));
    const hanging = { send: () => new Promise<never>(() => undefined) };
    await expect(relay({ producer: hanging, publishTimeoutMs: 50 }).flush()).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
    const { rows } = await db.query('SELECT sent_at FROM outbox');
    expect(rows).toEqual([{ sent_at: null }]);
  });

  it('waits for a round in progress when stopped', async () => {
    await db.transaction((tx) => enqueueOutbox(tx, message('t', 'k', 'v')));
    const log: Published[] = [];
    const producer = fakeProducer('one', log);
    let open!: () => void;
    producer.gate = new Promise((resolve) => (open = resolve));
    const running = relay({ producer });
    running.start();
    await vi.waitFor(() => {
      expect(producer.calls).toBe(1);
    });
    let stopped = false;
    const stopping = running.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stopped).toBe(false);
    open();
    await stopping;
    expect(log.map((m) => m.value)).toEqual(['v']);
    expect((await db.query('SELECT sent_at IS NOT NULL AS sent FROM outbox')).rows).toEqual([{ sent: true }]);
  });

  it('lets only one relay publish at a time: a second one waits while the first holds its batch', async () => {
    await db.transaction((tx) => enqueueOutbox(tx, [message('t', 'k', '1'), message('t', 'k', '2')]));
    const log: Published[] = [];
    const first = fakeProducer('first', log);
    let open!: () => void;
    first.gate = new Promise((resolve) => (open = resolve));
    const second = fakeProducer('second', log);
    const other = await openSecondInstance(target, db);
    try {
      const firstFlush = relay({ producer: first }).flush();
      await vi.waitFor(() => {
        expect(first.calls).toBe(1);
      });
      await expect(relay({ db: other, producer: second }).flush({ timeoutMs: 100 })).rejects.toMatchObject({
        code: 'TIMEOUT',
      });
      expect(second.calls).toBe(0);
      open();
      expect(await firstFlush).toBe(2);
      expect(log.map((m) => [m.producer, m.value])).toEqual([
        ['first', '1'],
        ['first', '2'],
      ]);
    } finally {
      open();
      if (other !== db) {
        await other.close();
      }
    }
  });

  it('never publishes a row twice with two relays on one database, and keeps each key in order', async () => {
    const log: Published[] = [];
    const producers = [
      fakeProducer('first', log, { delayMs: 1 }),
      fakeProducer('second', log, { delayMs: 1 }),
    ];
    const other = await openSecondInstance(target, db);
    try {
      const running = [
        relay({ producer: producers[0], batchSize: 15, pollIntervalMs: 1 }),
        relay({ db: other, producer: producers[1], batchSize: 15, pollIntervalMs: 1 }),
      ];
      for (const r of running) {
        r.start();
      }
      const keys = ['p1', 'p2', 'p3', 'p4', 'p5'];
      const perKey = 60;
      // Writers of several keys at once, each key written in sequence, while both relays run.
      await Promise.all(
        keys.map(async (key) => {
          for (let n = 0; n < perKey; n++) {
            await db.transaction((tx) =>
              enqueueOutbox(tx, message(n % 2 === 0 ? 'orders' : 'studies', key, `${key}:${n}`)),
            );
          }
        }),
      );
      await vi.waitFor(
        async () => {
          expect((await running[0].readStatus()).backlog).toBe(0);
        },
        {
          timeout: 30_000,
        },
      );
      await Promise.all(running.map((r) => r.stop()));

      const values = log.map((m) => m.value as string);
      expect(values).toHaveLength(keys.length * perKey);
      expect(new Set(values).size).toBe(values.length);
      for (const key of keys) {
        for (const topic of ['orders', 'studies']) {
          const sequence = log
            .filter((m) => m.key === key && m.topic === topic)
            .map((m) => Number((m.value as string).split(':')[1]));
          expect(sequence).toEqual([...sequence].sort((a, b) => a - b));
        }
      }
      const { rows } = await db.query<{ sent: number; once: number }>(
        'SELECT count(*) FILTER (WHERE sent_at IS NOT NULL)::int AS sent, count(*) FILTER (WHERE attempts = 1)::int AS once FROM outbox',
      );
      expect(rows[0]).toEqual({ sent: keys.length * perKey, once: keys.length * perKey });
    } finally {
      if (other !== db) {
        await other.close();
      }
    }
  });

  it('reports the backlog and the age of the oldest pending message', async () => {
    const log: Published[] = [];
    const idle = relay({ producer: fakeProducer('one', log) });
    expect((await idle.readStatus()).backlog).toBe(0);
    await db.transaction((tx) => enqueueOutbox(tx, [message('t', 'k', '1'), message('t', 'k', '2')]));
    await db.query("UPDATE outbox SET created_at = now() - interval '2 minutes'");
    const status = await idle.readStatus();
    expect(status.backlog).toBe(2);
    expect(status.oldestPendingAgeMs).toBeGreaterThanOrEqual(120_000);
    expect(status.lastPublishedAt).toBeNull();
  });

  it('prunes sent rows older than the retention and never a pending row', async () => {
    await db.transaction((tx) => enqueueOutbox(tx, [message('t', 'k', 'old'), message('t', 'k', 'recent')]));
    await relay({ producer: fakeProducer('one', []) }).flush();
    await db.transaction((tx) => enqueueOutbox(tx, message('t', 'k', 'pending')));
    await db.query("UPDATE outbox SET sent_at = now() - interval '8 days' WHERE value = 'old'");
    await db.query("UPDATE outbox SET created_at = now() - interval '30 days' WHERE value = 'pending'");
    expect(await pruneSentOutbox(db, { olderThanMs: 7 * 24 * 3600_000, batchSize: 1 })).toBe(1);
    const { rows } = await db.query<{ value: string }>('SELECT value FROM outbox ORDER BY id');
    expect(rows.map((row) => row.value)).toEqual(['recent', 'pending']);
  });
});
