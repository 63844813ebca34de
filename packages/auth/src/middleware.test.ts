import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessOf, canSeePatient, requireAccess, requireScope } from './middleware.ts';
import { startTestIssuer, type TestIssuer } from './test-issuer.ts';
import { createTokenVerifier } from './token-verifier.ts';

let issuer: TestIssuer;
let base = '';
let close: () => Promise<void>;

beforeAll(async () => {
  issuer = await startTestIssuer();
  const app = express();
  app.use(
    requireAccess({
      verifier: createTokenVerifier({ issuer: issuer.issuer, audience: 'oncoimg' }),
      isPublic: (req) => req.path === '/healthz',
    }),
  );
  app.get('/healthz', (_req, res) => void res.send('ok'));
  app.post('/fhir/ServiceRequest', requireScope('ServiceRequest', 'c'), (_req, res) => {
    res.status(201).json({ clientId: accessOf(res).clientId });
  });
  app.get(
    '/api/patients/:key/timeline',
    requireScope('ImagingStudy', 'rs'),
    requireScope('DiagnosticReport', 'rs'),
    (req: express.Request<{ key: string }>, res) => {
      const access = accessOf(res);
      if (!canSeePatient(access, req.params.key)) {
        res.status(404).end();
      } else {
        res.json({ patient: req.params.key, restrictedTo: access.restrictedTo ?? null });
      }
    },
  );
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  close = () => new Promise((resolve) => server.close(() => resolve()));
});
afterAll(async () => {
  await close();
  await issuer.close();
});

const call = (path: string, token?: string, method = 'GET') =>
  fetch(`${base}${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('requireAccess and requireScope', () => {
  it('answers 503 with Retry-After while the issuer cannot be reached', async () => {
    const app = express();
    app.use(
      requireAccess({ verifier: createTokenVerifier({ issuer: 'http://127.0.0.1:1', audience: 'oncoimg' }) }),
    );
    app.get('/x', (_req, res) => void res.send('ok'));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/x`;
      const response = await fetch(url, { headers: { authorization: `Bearer ${await issuer.sign()}` } });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
    } finally {
      server.close();
    }
  });

  it('lets public paths through without a token', async () => {
    expect((await call('/healthz')).status).toBe(200);
  });

  it('answers 401 with WWW-Authenticate and an OperationOutcome without a token, 201 with one', async () => {
    const refused = await call('/fhir/ServiceRequest', undefined, 'POST');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="oncoimg"');
    expect(refused.headers.get('content-type')).toContain('application/fhir+json');
    expect(await refused.json()).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ code: 'login' }],
    });

    const token = await issuer.sign({ scope: 'system/ServiceRequest.c', client_id: 'ehr-dev' });
    const accepted = await call('/fhir/ServiceRequest', token, 'POST');
    expect(accepted.status).toBe(201);
    expect(await accepted.json()).toEqual({ clientId: 'ehr-dev' });
  });

  it('answers 401 invalid_token for a token of the wrong audience', async () => {
    const refused = await call('/fhir/ServiceRequest', await issuer.sign({ aud: 'elsewhere' }), 'POST');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer realm="oncoimg", error="invalid_token"/);
  });

  it('answers 403 naming the missing scope, and 201 once the token has it', async () => {
    const refused = await call(
      '/fhir/ServiceRequest',
      await issuer.sign({ scope: 'system/ServiceRequest.rs' }),
      'POST',
    );
    expect(refused.status).toBe(403);
    const outcome = (await refused.json()) as { issue: { details: { text: string } }[] };
    expect(outcome.issue[0]?.details.text).toBe('missing scope system/ServiceRequest.c');
    const accepted = await call(
      '/fhir/ServiceRequest',
      await issuer.sign({ scope: 'system/ServiceRequest.rs system/ServiceRequest.c' }),
      'POST',
    );
    expect(accepted.status).toBe(201);
  });

  it('needs read access to both ImagingStudy and DiagnosticReport for a timeline', async () => {
    const path = `/api/patients/${encodeURIComponent('Patient/7')}/timeline`;
    expect((await call(path, await issuer.sign({ scope: 'user/ImagingStudy.rs' }))).status).toBe(403);
    expect(
      (await call(path, await issuer.sign({ scope: 'user/ImagingStudy.rs user/DiagnosticReport.read' })))
        .status,
    ).toBe(200);
  });

  it('shows a patient-context token its own patient and no other', async () => {
    const token = await issuer.sign({ scope: 'patient/*.rs launch/patient', patient: '7' });
    const own = await call(`/api/patients/${encodeURIComponent('Patient/7')}/timeline`, token);
    expect(own.status).toBe(200);
    expect(await own.json()).toEqual({ patient: 'Patient/7', restrictedTo: 'Patient/7' });
    expect((await call(`/api/patients/${encodeURIComponent('Patient/8')}/timeline`, token)).status).toBe(404);
  });
});
