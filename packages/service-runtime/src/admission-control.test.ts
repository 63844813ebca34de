import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Request, Response } from 'express';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { beforeDeadline, errorEdge, isRequestTimedOutError, requestDeadlineOf } from '@oncoimg/fhir-http';
import { createAdmissionControl, type AdmissionControl, type AdmissionOptions } from './admission-control.ts';

/** Runs one request through the middleware without a server: admitted, or the refusal it got. */
function answerOf(control: AdmissionControl): 'admitted' | { status: number; retryAfter: string } {
  const headers: Record<string, string> = {};
  let status = 0;
  const seen = { admitted: false };
  const res = {
    locals: {},
    headersSent: false,
    once: () => res,
    status: (code: number) => ((status = code), res),
    setHeader: (name: string, value: string) => ((headers[name.toLowerCase()] = value), res),
    type: () => res,
    send: () => res,
  };
  control.middleware(
    { path: '/fhir/ServiceRequest' } as unknown as Request,
    res as unknown as Response,
    () => {
      seen.admitted = true;
    },
  );
  return seen.admitted ? 'admitted' : { status, retryAfter: headers['retry-after'] };
}

interface Harness {
  base: string;
  /** Answers every request held so far. */
  releaseAll(): void;
  held(): number;
  load(): { inFlight: number; queued: number };
  /** Ends the commits under way of `/fhir/write`. */
  releaseCommits(): void;
  commitsUnderWay(): number;
  written: { committed: number; notStarted: number };
}

const servers: Server[] = [];
const controls: { stop(): void }[] = [];
afterEach(async () => {
  for (const control of controls.splice(0)) {
    control.stop();
  }
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** An app whose `/fhir/slow` route answers only when released, behind admission control. */
async function harness(options: AdmissionOptions): Promise<Harness> {
  const control = createAdmissionControl(options);
  controls.push(control);
  const waiting: (() => void)[] = [];
  const app = express();
  app.use(control.middleware);
  app.get('/readyz', (_req, res) => {
    res.json({ ready: true });
  });
  app.get('/fhir/slow', async (_req, res) => {
    await new Promise<void>((resolve) => waiting.push(resolve));
    res.status(201).json({ ok: true });
  });
  // Like an intake write: work before the commit (released by releaseAll), then the commit
  // (released by releaseCommits) under the request's deadline.
  const commits: (() => void)[] = [];
  const written = { committed: 0, notStarted: 0 };
  app.get('/fhir/write', async (_req, res, next) => {
    await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      await beforeDeadline(requestDeadlineOf(res), async () => {
        await new Promise<void>((resolve) => commits.push(resolve));
        written.committed += 1;
      });
      res.status(201).json({ ok: true });
    } catch (error) {
      written.notStarted += isRequestTimedOutError(error) ? 1 : 0;
      next(error);
    }
  });
  app.use(errorEdge());
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    base: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`,
    releaseAll: () => {
      for (const release of waiting.splice(0)) {
        release();
      }
    },
    held: () => waiting.length,
    load: () => control.load(),
    releaseCommits: () => {
      for (const release of commits.splice(0)) {
        release();
      }
    },
    commitsUnderWay: () => commits.length,
    written,
  };
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error('condition not met in time');
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('admission control', () => {
  it('handles up to maxInFlight at once, queues maxQueued, and refuses the rest at once with 503 and Retry-After', async () => {
    const h = await harness({ maxInFlight: 2, maxQueued: 1, requestTimeoutMs: 10_000 });
    const answers = Array.from({ length: 5 }, () => fetch(`${h.base}/fhir/slow`));
    await until(() => h.held() === 2 && h.load().queued === 1);
    expect(h.load()).toEqual({ inFlight: 2, queued: 1 });

    // Two were refused without waiting for anything to be released.
    const settled = await Promise.race([
      Promise.allSettled(answers.slice(3)),
      new Promise((resolve) => setTimeout(() => resolve('hung'), 2_000)),
    ]);
    expect(settled).not.toBe('hung');
    for (const refused of await Promise.all(answers.slice(3))) {
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
      const outcome = (await refused.json()) as { resourceType: string; issue: { code: string }[] };
      expect(outcome.resourceType).toBe('OperationOutcome');
      expect(outcome.issue[0].code).toBe('throttled');
    }

    // The queued one goes in as soon as a slot frees.
    h.releaseAll();
    await until(() => h.held() === 1);
    h.releaseAll();
    const handled = await Promise.all(answers.slice(0, 3));
    expect(handled.map((r) => r.status)).toEqual([201, 201, 201]);
    await until(() => h.load().inFlight === 0);
  });

  it('answers readiness probes even when full', async () => {
    const h = await harness({ maxInFlight: 1, maxQueued: 0, requestTimeoutMs: 10_000 });
    const slow = fetch(`${h.base}/fhir/slow`);
    await until(() => h.held() === 1);
    expect((await fetch(`${h.base}/fhir/slow`)).status).toBe(503);
    expect((await fetch(`${h.base}/readyz`)).status).toBe(200);
    h.releaseAll();
    expect((await slow).status).toBe(201);
  });

  it('answers 503 for a request not answered within the time limit, and frees its slot', async () => {
    const h = await harness({ maxInFlight: 1, maxQueued: 1, requestTimeoutMs: 200 });
    const started = Date.now();
    const [first, queued] = await Promise.all([fetch(`${h.base}/fhir/slow`), fetch(`${h.base}/fhir/slow`)]);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect([first.status, queued.status]).toEqual([503, 503]);
    expect(first.headers.get('retry-after')).toBe('1');
    expect(h.load()).toEqual({ inFlight: 0, queued: 0 });
    // The late answer of the timed-out handler goes nowhere and breaks nothing.
    h.releaseAll();
    const next = fetch(`${h.base}/fhir/slow`);
    await until(() => h.held() === 1);
    h.releaseAll();
    expect((await next).status).toBe(201);
  });

  it('does not start the write of a request already answered 503 for its time limit', async () => {
    const h = await harness({ maxInFlight: 4, requestTimeoutMs: 200 });
    const answer = await fetch(`${h.base}/fhir/write`);
    expect(answer.status).toBe(503);
    // The handler gets to its commit only after the client was told "not stored".
    h.releaseAll();
    await until(() => h.written.notStarted === 1);
    expect(h.written.committed).toBe(0);
    expect(h.commitsUnderWay()).toBe(0);
  });

  it('gives a request whose commit is under way at its time limit the commit’s real answer', async () => {
    const h = await harness({ maxInFlight: 4, requestTimeoutMs: 200 });
    const answer = fetch(`${h.base}/fhir/write`);
    await until(() => h.held() === 1);
    h.releaseAll();
    await until(() => h.commitsUnderWay() === 1);
    await new Promise((resolve) => setTimeout(resolve, 400));
    h.releaseCommits();
    expect((await answer).status).toBe(201);
    expect(h.written).toEqual({ committed: 1, notStarted: 0 });
    await until(() => h.load().inFlight === 0);
  });

  it('refuses at once while the event loop is stalled, then takes requests again', () => {
    const control = createAdmissionControl({ maxEventLoopDelayMs: 200 });
    controls.push(control);
    const startedAt = performance.now();
    const clock = vi.spyOn(performance, 'now');
    try {
      // Synchronous: the loop's ticker cannot run, as during one long socket callback.
      clock.mockReturnValue(startedAt + 50);
      expect(answerOf(control)).toBe('admitted');
      clock.mockReturnValue(startedAt + 600);
      expect(answerOf(control)).toEqual({ status: 503, retryAfter: '1' });
    } finally {
      clock.mockRestore();
    }
  });

  it('frees the slot of a client that went away', async () => {
    const h = await harness({ maxInFlight: 1, maxQueued: 0, requestTimeoutMs: 10_000 });
    const abort = new AbortController();
    const gone = fetch(`${h.base}/fhir/slow`, { signal: abort.signal }).catch(() => undefined);
    await until(() => h.held() === 1);
    abort.abort();
    await gone;
    await until(() => h.load().inFlight === 0);
    h.releaseAll();
  });
});
