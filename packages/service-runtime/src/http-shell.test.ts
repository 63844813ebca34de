import { createServiceAccess } from '@oncoimg/auth';
import { StoreError } from '@oncoimg/store';
import { authFetch as fetch, testAuth } from '@oncoimg/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpShell, type HttpShell } from './http-shell.ts';

describe('createHttpShell', () => {
  let ready = true;
  const makeShell = async () =>
    createHttpShell({
      access: (await testAuth()).access,
      status: async () => ({ ready, database: ready ? 'up' : 'down' }),
      routes(app) {
        app.get('/api/ok', (_req, res) => {
          res.json({ ok: true });
        });
        app.get('/api/db-down', () => {
          throw new StoreError('CONNECTION_FAILED', 'connection refused');
        });
        app.get('/api/defect', () => {
          throw new TypeError('Cannot read LC-0001');
        });
      },
    });
  let base: string;
  let shell: HttpShell;

  beforeAll(async () => {
    shell = await makeShell();
    base = `http://127.0.0.1:${String((await shell.listen({ port: 0, host: '127.0.0.1' })).port)}`;
  });
  afterAll(() => shell.close());

  it('answers health always, and readiness from status()', async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'up' });
    const readyAnswer = await fetch(`${base}/readyz`);
    expect(readyAnswer.status).toBe(200);
    expect(await readyAnswer.json()).toEqual({ ready: true, database: 'up', missing: [] });
    ready = false;
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ ready: false, database: 'down', missing: ['database'] });
    expect((await fetch(`${base}/status`)).status).toBe(200);
    ready = true;
  });

  it('serves the service’s routes and Prometheus metrics', async () => {
    expect(await (await fetch(`${base}/api/ok`)).json()).toEqual({ ok: true });
    expect((await fetch(`${base}/metrics`)).status).toBeLessThan(600);
  });

  it('answers an unknown route with a JSON 404, never Express’s HTML page', async () => {
    const res = await fetch(`${base}/nowhere`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await res.json()) as { resourceType: string }).resourceType).toBe('OperationOutcome');
  });

  it('answers 503 with Retry-After when the database is down, and 500 without internals for a defect', async () => {
    const down = await fetch(`${base}/api/db-down`);
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toMatch(/^\d+$/);
    const defect = await fetch(`${base}/api/defect`);
    expect(defect.status).toBe(500);
    expect(await defect.text()).not.toContain('LC-0001');
  });
});

describe('createHttpShell access settings', () => {
  const shellOn = async (access: Parameters<typeof createHttpShell>[0]['access']) => {
    const shell = createHttpShell({
      access,
      status: async () => ({ ready: true }),
      routes(app) {
        app.get('/api/ok', (_req, res) => void res.json({ ok: true }));
      },
    });
    const { port } = await shell.listen({ port: 0, host: '127.0.0.1' });
    return { shell, base: `http://127.0.0.1:${String(port)}` };
  };

  const fetch = globalThis.fetch;

  it('answers 503 with Retry-After while the issuer cannot be reached, and serves once it is the real one', async () => {
    const unreachable = await shellOn(
      createServiceAccess({ issuer: 'http://127.0.0.1:1', audience: 'oncoimg' }),
    );
    const reachable = await shellOn((await testAuth()).access);
    try {
      const headers = await (await testAuth()).bearer();
      const down = await fetch(`${unreachable.base}/api/ok`, { headers });
      expect(down.status).toBe(503);
      expect(down.headers.get('retry-after')).toMatch(/^\d+$/);
      expect((await fetch(`${unreachable.base}/fhir/.well-known/smart-configuration`)).status).toBe(503);
      expect((await fetch(`${reachable.base}/api/ok`, { headers })).status).toBe(200);
    } finally {
      await Promise.all([unreachable.shell.close(), reachable.shell.close()]);
    }
  });

  it('opens /metrics without a token only when METRICS_PUBLIC asks for it', async () => {
    const { access } = await testAuth();
    const open = await shellOn({ ...access, metricsPublic: true });
    const closed = await shellOn(access);
    try {
      expect((await fetch(`${open.base}/metrics`)).status).not.toBe(401);
      expect((await fetch(`${open.base}/api/ok`)).status).toBe(401);
      expect((await fetch(`${closed.base}/metrics`)).status).toBe(401);
    } finally {
      await Promise.all([open.shell.close(), closed.shell.close()]);
    }
  });

  it('takes the token from tokenFrom (a sign-in session) when the request has no Authorization header', async () => {
    const auth = await testAuth();
    const token = await auth.token('user/*.rs');
    const { shell, base } = await shellOn({
      ...auth.access,
      tokenFrom: (req) => (req.get('cookie') === 'sid=1' ? token : undefined),
    });
    try {
      expect((await fetch(`${base}/api/ok`, { headers: { cookie: 'sid=1' } })).status).toBe(200);
      expect((await fetch(`${base}/api/ok`, { headers: { cookie: 'sid=2' } })).status).toBe(401);
    } finally {
      await shell.close();
    }
  });
});
