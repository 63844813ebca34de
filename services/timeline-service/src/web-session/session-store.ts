import { createHash, randomBytes } from 'node:crypto';
import type { Migration, Queryable } from '@oncoimg/store';

/**
 * Sessions of the timeline page, kept in the timeline service's database so that any instance
 * behind a load balancer serves any signed-in browser. The browser holds only an opaque random id;
 * the table holds its SHA-256, so reading the table does not give anyone a usable cookie.
 */
export const webSessionMigrations: readonly Migration[] = [
  {
    id: 'timeline.web-sessions.001-create',
    sql: `
      CREATE TABLE web_sessions (
        id_hash text PRIMARY KEY,
        data jsonb NOT NULL,
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);
    `,
  },
];

/** Who signed in, from the ID token, and the access token the page's API calls carry. */
export interface SignedInUser {
  sub: string;
  name: string | undefined;
  fhirUser: string | undefined;
  /** The SMART launch's patient context (the token response's `patient`), as the provider sent it. */
  patient: string | undefined;
  accessToken: string;
  /** For RP-initiated logout (`id_token_hint`). */
  idToken: string | undefined;
}

/** What must come back with the authorization response: checked at /callback. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** A path of this site to go to once signed in. */
  returnTo: string;
}

export type WebSession =
  { kind: 'signed-in'; user: SignedInUser } | { kind: 'pending'; pending: PendingSignIn };

export interface WebSessionStore {
  /** Stores a session and returns its new id (the cookie value). */
  create(session: WebSession, expiresAt: Date): Promise<string>;
  /** The session of this id, unless unknown or expired. */
  read(id: string): Promise<{ session: WebSession; expiresAt: Date } | undefined>;
  remove(id: string): Promise<void>;
}

const hashOf = (id: string) => createHash('sha256').update(id).digest('base64url');

/** A session store in the service's database (PGlite or PostgreSQL); expired rows are pruned on create. */
export function createWebSessionStore({ db, now = () => new Date() }: { db: Queryable; now?: () => Date }) {
  const store: WebSessionStore = {
    async create(session, expiresAt) {
      const id = randomBytes(32).toString('base64url');
      await db.query('DELETE FROM web_sessions WHERE expires_at < $1', [now()]);
      await db.query('INSERT INTO web_sessions (id_hash, data, expires_at) VALUES ($1, $2, $3)', [
        hashOf(id),
        JSON.stringify(session),
        expiresAt,
      ]);
      return id;
    },
    async read(id) {
      const { rows } = await db.query<{ data: WebSession; expires_at: Date }>(
        'SELECT data, expires_at FROM web_sessions WHERE id_hash = $1 AND expires_at > $2',
        [hashOf(id), now()],
      );
      const row = rows.at(0);
      return row ? { session: row.data, expiresAt: row.expires_at } : undefined;
    },
    async remove(id) {
      await db.query('DELETE FROM web_sessions WHERE id_hash = $1', [hashOf(id)]);
    },
  };
  return store;
}
