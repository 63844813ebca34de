import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { completeCredentials, credentialsPath, PRINCIPALS, readBrokerCredentials } from './credentials.ts';

describe('a credentials file written before a principal was added', () => {
  let dataDir: string;
  const old = {
    mechanism: 'SCRAM-SHA-512',
    principals: Object.fromEntries(
      PRINCIPALS.filter((name) => name !== 'subscription-service').map((name) => [
        name,
        { username: name, password: `pw-${name}` },
      ]),
    ),
  };

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kafka-credentials-'));
    await writeFile(credentialsPath(dataDir), JSON.stringify(old));
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('is still read (the admin signs in as before), and completing it adds only the new principal', async () => {
    const stored = await readBrokerCredentials(dataDir);
    expect(stored?.principals.admin).toEqual({ username: 'admin', password: 'pw-admin' });
    expect(stored?.principals['subscription-service']).toBeUndefined();
    const { credentials, added } = completeCredentials(stored ?? expect.fail('not read'));
    expect(added).toEqual(['subscription-service']);
    expect(credentials.principals['timeline-service'].password).toBe('pw-timeline-service');
    expect(credentials.principals['subscription-service'].username).toBe('subscription-service');
    expect(credentials.principals['subscription-service'].password).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('without an admin it is no credentials at all', async () => {
    await writeFile(
      credentialsPath(dataDir),
      JSON.stringify({ ...old, principals: { tools: old.principals.tools } }),
    );
    expect(await readBrokerCredentials(dataDir)).toBeNull();
  });
});
