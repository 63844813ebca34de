import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier, requireAccess } from '@oncoimg/auth';
import { startTestIssuer, type TestIssuer } from '@oncoimg/auth/test-issuer';
import { createRateLimiter, rateLimitMiddleware } from './rate-limit.ts';

describe('createRateLimiter', () => {
  it('lets a client burst, refuses it until the bucket refills, and keeps clients apart', () => {
    let now = 0;
    const limiter = createRateLimiter({ perSecond: 2, burst: 3, now: () => now });
    expect([1, 2, 3].map(() => limiter.take('ehr-dev'))).toEqual([0, 0, 0]);
    expect(limiter.take('ehr-dev')).toBe(1);
    // Another client has its own bucket.
    expect(limiter.take('pacs-dev')).toBe(0);
    now += 500; // one request's worth at 2 per second
    expect(limiter.take('ehr-dev')).toBe(0);
    expect(limiter.take('ehr-dev')).toBe(1);
    now += 60_000; // never more than the burst, however long the pause
    expect([1, 2, 3, 4].map(() => limiter.take('ehr-dev'))).toEqual([0, 0, 0, 1]);
  });

  it('tells a slow refill to wait several seconds', () => {
    const limiter = createRateLimiter({ perSecond: 0.25, burst: 1, now: () => 0 });
    expect(limiter.take('cli-dev')).toBe(0);
    expect(limiter.take('cli-dev')).toBe(4);
  });
});

describe('rateLimitMiddleware', () => {
  let issuer: TestIssuer;
  let base = '';
  let now = 0;
  let close: () => Promise<void>;

  beforeAll(async () => {
    issuer = await startTestIssuer();
    const app = express();
    app.get('/healthz', (_req, res) => void res.send('ok'));
    app.use(requireAccess({ verifier: createTokenVerifier({ issuer: issuer.issuer, audience: 'oncoimg' }) }));
    app.use(rateLimitMiddleware({ perSecond: 1, burst: 2, now: () => now }));
    app.get('/fhir/ServiceRequest', (_req, res) => void res.json({ ok: true }));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  });
  afterAll(async () => {
    await close();
    await issuer.close();
  });

  it('answers 429 with Retry-After and an OperationOutcome once a client used its burst, then takes it again', async () => {
    const token = await issuer.sign({ client_id: 'ehr-dev' });
    const other = await issuer.sign({ client_id: 'pacs-dev' });
    const get = (bearer: string) =>
      fetch(`${base}/fhir/ServiceRequest`, { headers: { authorization: `Bearer ${bearer}` } });
    expect((await get(token)).status).toBe(200);
    expect((await get(token)).status).toBe(200);
    const refused = await get(token);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    const outcome = (await refused.json()) as { resourceType: string; issue: { code: string }[] };
    expect(outcome).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'throttled' }] });
    // Another client is not held back, and the probes never are.
    expect((await get(other)).status).toBe(200);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    now += 1_000;
    expect((await get(token)).status).toBe(200);
  });
});
