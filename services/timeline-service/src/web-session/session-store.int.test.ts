import { migrate, type Database } from '@oncoimg/store';
import { openSecondInstance, openTestDatabase, testDatabaseTargets } from '@oncoimg/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createWebSessionStore, webSessionMigrations, type WebSession } from './session-store.ts';

const signedIn: WebSession = {
  kind: 'signed-in',
  user: {
    sub: 'clinician',
    name: 'Development Clinician',
    fhirUser: 'Practitioner/dev-clinician',
    patient: undefined,
    accessToken: 'header.payload.signature',
    idToken: undefined,
  },
};

describe.each(testDatabaseTargets())('page sessions in the timeline database ($name)', (target) => {
  const open: Database[] = [];
  afterEach(async () => {
    for (const db of open.splice(0).reverse()) {
      await db.close();
    }
  });

  async function twoInstances() {
    const first = await openTestDatabase(target);
    open.push(first);
    await migrate(first, webSessionMigrations);
    const second = await openSecondInstance(target, first);
    if (second !== first) {
      open.push(second);
    }
    return [first, second] as const;
  }

  it('a session created by one instance is found by another, until it is removed', async () => {
    const [first, second] = await twoInstances();
    const id = await createWebSessionStore({ db: first }).create(signedIn, new Date(Date.now() + 60_000));
    const other = createWebSessionStore({ db: second });
    expect((await other.read(id))?.session).toEqual(JSON.parse(JSON.stringify(signedIn)));
    // The table keeps a hash: its rows are no cookies.
    const { rows } = await second.query<{ id_hash: string }>('SELECT id_hash FROM web_sessions');
    expect(rows.map((r) => r.id_hash)).not.toContain(id);
    await other.remove(id);
    expect(await createWebSessionStore({ db: first }).read(id)).toBeUndefined();
  });

  it('an expired session is not found, and is pruned when the next one is created', async () => {
    const [db] = await twoInstances();
    let clock = new Date('2026-01-01T10:00:00Z');
    const store = createWebSessionStore({ db, now: () => clock });
    const id = await store.create(signedIn, new Date('2026-01-01T11:00:00Z'));
    expect(await store.read(id)).toBeDefined();
    clock = new Date('2026-01-01T11:00:01Z');
    expect(await store.read(id)).toBeUndefined();
    await store.create(signedIn, new Date('2026-01-01T12:00:00Z'));
    const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM web_sessions');
    expect(Number(rows[0]?.n)).toBe(1);
  });
});
