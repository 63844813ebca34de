import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createTokenVerifier, identityOf } from '@oncoimg/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliIo } from './cli.ts';

// The authorization server runs as its own process, started the way `npm start` starts it:
// packages do not import services, not even in tests.
const MAIN = resolve(import.meta.dirname, '../../../services/auth-server/src/main.ts');

let dataDir = '';
let child: ChildProcess;
let issuer = '';

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cli-token-'));
  child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const match = /issuer (\S+),/.exec(line);
    if (match) {
      issuer = match[1];
      break;
    }
  }
});
afterAll(async () => {
  child.kill('SIGTERM');
  await rm(dataDir, { recursive: true, force: true });
});

async function oncoimg(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env: { OIDC_ISSUER: issuer, AUTH_DATA_DIR: dataDir },
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

describe('oncoimg token', () => {
  it('prints only a token that the services verifier accepts, with the scopes asked for', async () => {
    const { code, stdout, stderr } = await oncoimg([
      'token',
      '--scope',
      'system/ServiceRequest.c system/*.rs',
    ]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const { claims } = await createTokenVerifier({ issuer, audience: 'oncoimg' }).verify(stdout.trim());
    expect(identityOf(claims)).toMatchObject({
      clientId: 'cli-dev',
      scopes: ['system/ServiceRequest.c', 'system/*.rs'],
    });
  });

  it('binds the token to --patient', async () => {
    const { code, stdout } = await oncoimg([
      'token',
      '--scope',
      'patient/*.rs',
      '--patient',
      'urn:oid:1.2.3|MRN-9',
    ]);
    expect(code).toBe(0);
    const { claims } = await createTokenVerifier({ issuer, audience: 'oncoimg' }).verify(stdout.trim());
    expect(identityOf(claims).patient).toBe('urn:oid:1.2.3|MRN-9');
  });

  it('exits 1 with the OAuth error when the client may not bind a patient', async () => {
    const { code, stdout, stderr } = await oncoimg([
      'token',
      '--client',
      'ehr-dev',
      '--scope',
      'system/ServiceRequest.c',
      '--patient',
      'Patient/1',
    ]);
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toMatch(/^oncoimg: token request refused: invalid_request/);
  });

  it('exits 1 when the authorization server is unreachable', async () => {
    const { code, stderr } = await oncoimg([
      'token',
      '--scope',
      'system/*.rs',
      '--issuer',
      'http://127.0.0.1:1',
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/cannot reach the authorization server/);
  });
});

describe('commands that call an API get their own token', () => {
  it('publish sends a cli-dev token with the write scope of the service it calls', async () => {
    const seen: (string | undefined)[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      req.resume();
      res.writeHead(201, { 'content-type': 'application/fhir+json' }).end('{}');
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    const base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/fhir`;
    const file = join(dataDir, 'order.json');
    await writeFile(file, JSON.stringify({ resourceType: 'ServiceRequest', id: 'o1' }));
    try {
      const { code, stderr } = await oncoimg(['publish', file, '--order-url', base]);
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    } finally {
      server.close();
    }
    const token = /^Bearer (\S+)$/.exec(seen[0] ?? '')?.[1] ?? '';
    const { claims } = await createTokenVerifier({ issuer, audience: 'oncoimg' }).verify(token);
    expect(identityOf(claims)).toMatchObject({ clientId: 'cli-dev', scopes: ['system/ServiceRequest.cud'] });
  });
});
