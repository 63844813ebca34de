import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyValue } from './copy-text.ts';
import type { Database } from './database.ts';
import { isStoreError } from './errors.ts';
import { openDatabase } from './open-database.ts';
import { openTestDatabase, testDatabaseTargets } from '@oncoimg/testing';

describe.each(testDatabaseTargets())('database on $name', (target) => {
  let db: Database;
  beforeEach(async () => {
    db = await openTestDatabase(target);
    await db.exec(
      'CREATE TABLE items (id bigserial PRIMARY KEY, name text UNIQUE NOT NULL, data bytea, doc jsonb)',
    );
  });
  afterEach(async () => {
    await db.close();
  });

  it('returns the same value types on both targets', async () => {
    const { rows } = await db.query<{ id: string; data: Buffer; doc: unknown; at: Date }>(
      'INSERT INTO items (name, data, doc) VALUES ($1, $2, $3::jsonb) RETURNING id, data, doc, now() AS at',
      ['a', Buffer.from([0, 1, 255]), JSON.stringify({ list: [1, 2] })],
    );
    const { at, ...values } = rows[0];
    expect(values).toEqual({ id: '1', data: Buffer.from([0, 1, 255]), doc: { list: [1, 2] } });
    expect(Buffer.isBuffer(values.data)).toBe(true);
    expect(at).toBeInstanceOf(Date);
  });

  it('loads rows with COPY, in a transaction and outside one, escaped values and nulls intact', async () => {
    const doc = { text: 'a\\b\tc\nd "q" é' };
    const line = (name: string, value: unknown) =>
      `${copyValue(name)}\t${copyValue(value === null ? null : JSON.stringify(value))}\n`;
    await db.transaction(async (tx) => {
      await tx.copyFrom('COPY items (name, doc) FROM STDIN', line('tab\there', doc) + line('none', null));
    });
    await db.copyFrom('COPY items (name, doc) FROM STDIN', line('back\\slash', [1]));
    const { rows } = await db.query<{ name: string; doc: unknown }>(
      'SELECT name, doc FROM items ORDER BY id',
    );
    expect(rows).toEqual([
      { name: 'tab\there', doc },
      { name: 'none', doc: null },
      { name: 'back\\slash', doc: [1] },
    ]);
  });

  it('a COPY that breaks a constraint fails with a store error and loads nothing', async () => {
    const load = db.copyFrom('COPY items (name) FROM STDIN', 'same\nsame\n');
    await expect(load).rejects.toSatisfy(isStoreError);
    expect((await db.query('SELECT 1 FROM items')).rows).toEqual([]);
  });

  it('counts the rows an UPDATE touched', async () => {
    await db.query("INSERT INTO items (name) VALUES ('a'), ('b'), ('c')");
    const result = await db.query("UPDATE items SET doc = '{}'::jsonb WHERE name <> 'c'");
    expect(result.rowCount).toBe(2);
  });

  it('commits what a transaction wrote when it succeeds', async () => {
    const id = await db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: string }>(
        "INSERT INTO items (name) VALUES ('kept') RETURNING id",
      );
      return rows[0]?.id;
    });
    expect(id).toBe('1');
    expect((await db.query('SELECT name FROM items')).rows).toEqual([{ name: 'kept' }]);
  });

  it('leaves nothing behind when a transaction throws, and rethrows the caller error unchanged', async () => {
    const failure = new Error('validation said no');
    await expect(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO items (name) VALUES ('gone')");
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect((await db.query('SELECT * FROM items')).rows).toEqual([]);
  });

  it('does not commit a transaction in which a statement failed, even if the caller swallowed the error', async () => {
    await db.query("INSERT INTO items (name) VALUES ('taken')");
    await expect(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO items (name) VALUES ('first')");
        await tx.query("INSERT INTO items (name) VALUES ('taken')").catch(() => undefined);
      }),
    ).rejects.toSatisfy((error) => isStoreError(error));
    expect((await db.query('SELECT name FROM items ORDER BY id')).rows).toEqual([{ name: 'taken' }]);
  });

  it('reports a duplicate key as UNIQUE_VIOLATION, which is not worth retrying', async () => {
    await db.query("INSERT INTO items (name) VALUES ('x')");
    const error: unknown = await db.query("INSERT INTO items (name) VALUES ('x')").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'UNIQUE_VIOLATION', retriable: false, sqlState: '23505' });
  });

  it('keeps concurrent transactions apart: read-modify-write never loses an increment', async () => {
    await db.exec('CREATE TABLE counter (n integer NOT NULL); INSERT INTO counter VALUES (0)');
    await Promise.all(
      Array.from({ length: 20 }, () =>
        db.transaction(async (tx) => {
          const { rows } = await tx.query<{ n: number }>('SELECT n FROM counter FOR UPDATE');
          await tx.query('UPDATE counter SET n = $1', [(rows[0]?.n ?? 0) + 1]);
        }),
      ),
    );
    expect((await db.query('SELECT n FROM counter')).rows).toEqual([{ n: 20 }]);
  });

  it('refuses a transaction handle used after its transaction ended', async () => {
    let leaked: { query: Database['query'] } | undefined;
    await db.transaction((tx) => {
      leaked = tx;
      return Promise.resolve();
    });
    await expect(leaked?.query('SELECT 1')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('refuses work after close', async () => {
    const other = await openDatabase(target.url === undefined ? {} : { url: target.url, max: 1 });
    await other.close();
    await expect(other.query('SELECT 1')).rejects.toMatchObject({ code: 'CLOSED' });
  });
});

describe('PGlite', () => {
  it('refuses a statement on the database from inside one of its transactions instead of waiting forever', async () => {
    const db = await openDatabase();
    try {
      await expect(db.transaction(() => db.query('SELECT 1'))).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
    } finally {
      await db.close();
    }
  });

  it('keeps its data in a folder across a restart, in the chosen schema', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'oncoimg-store-'));
    try {
      const first = await openDatabase({ dataDir, schema: 'orders' });
      await first.exec("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')");
      await first.close();
      const second = await openDatabase({ dataDir, schema: 'orders' });
      const { rows } = await second.query('SELECT v, current_schema() AS schema FROM kept');
      await second.close();
      expect(rows).toEqual([{ v: 'still here', schema: 'orders' }]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe.runIf(process.env.DATABASE_URL)('PostgreSQL server', () => {
  const url = process.env.DATABASE_URL ?? '';

  it('creates the schema and runs every pooled connection in it', async () => {
    const schema = `test_${randomUUID().replaceAll('-', '')}`;
    const db = await openDatabase({ url, schema, max: 3 });
    try {
      const results = await Promise.all(
        Array.from({ length: 6 }, () => db.query<{ schema: string }>('SELECT current_schema() AS schema')),
      );
      expect(new Set(results.map((r) => r.rows[0]?.schema))).toEqual(new Set([schema]));
      await db.exec('CREATE TABLE here (v int)');
      const { rows } = await db.query(
        'SELECT table_schema FROM information_schema.tables WHERE table_name = $1',
        ['here'],
      );
      expect(rows).toEqual([{ table_schema: schema }]);
    } finally {
      await db.query(`DROP SCHEMA ${schema} CASCADE`);
      await db.close();
    }
  });

  it('lets two instances create the same schema at once', async () => {
    const schema = `test_${randomUUID().replaceAll('-', '')}`;
    const [a, b] = await Promise.all([
      openDatabase({ url, schema, max: 1 }),
      openDatabase({ url, schema, max: 1 }),
    ]);
    await a.query(`DROP SCHEMA ${schema} CASCADE`);
    await Promise.all([a.close(), b.close()]);
  });
});

describe('opening a database', () => {
  it('fails fast with a retriable CONNECTION_FAILED when the server does not answer', async () => {
    // Port 1 on the loopback interface: nothing listens there.
    const error: unknown = await openDatabase({ url: 'postgres://nobody@127.0.0.1:1/none' }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'CONNECTION_FAILED', retriable: true });
  });

  it('refuses a schema name it would have to quote', async () => {
    await expect(openDatabase({ schema: 'Robert"); DROP TABLE x;--' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('refuses a url that is not a PostgreSQL url, without repeating it', async () => {
    const error: unknown = await openDatabase({ url: 'mysql://user:secret@host/db' }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(String(error)).not.toContain('secret');
  });
});
