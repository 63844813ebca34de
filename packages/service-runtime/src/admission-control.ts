import { FHIR_JSON, outcomeWithStatus, setRequestDeadline } from '@oncoimg/fhir-http';
import { serviceMetrics } from '@oncoimg/telemetry';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

export interface AdmissionOptions {
  /** Requests handled at once; more wait in the queue. */
  maxInFlight?: number;
  /** Requests waiting for a slot (their bodies unread, so memory stays bounded); more are refused at once. */
  maxQueued?: number;
  /** From arrival: a request not answered by then is answered 503, queued or not. */
  requestTimeoutMs?: number;
  /**
   * Refused at once while the event loop has been stalled this long: with an in-process database
   * (PGlite) each request runs to its answer within one socket callback, so the excess waits in
   * the kernel's socket buffers, never in flight, and only the loop's stall shows the overload.
   */
  maxEventLoopDelayMs?: number;
  /** What a refused client is told to wait. */
  retryAfterSeconds?: number;
  /** Never queued, refused or timed out: health, readiness and metrics must answer under overload. */
  exempt?: (path: string) => boolean;
}

export interface AdmissionControl {
  middleware: RequestHandler;
  /** Requests being handled and waiting now. */
  load(): { inFlight: number; queued: number };
  /** Stops watching the event loop. */
  stop(): void;
}

export const DEFAULT_MAX_IN_FLIGHT = 64;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Far beyond a normal request's work (a batch Bundle of 100 takes well under a second). */
export const DEFAULT_MAX_EVENT_LOOP_DELAY_MS = 2_000;
/** How often the event loop is sampled: a tick this much late is a stall. */
const LOOP_TICK_MS = 100;
/** A refused request is cheap to repeat; a second is long enough for a slot to free up. */
const OVERLOAD_RETRY_AFTER_SECONDS = 1;
const PROBE_PATHS = new Set(['/healthz', '/readyz', '/status', '/metrics']);

function refuse(req: Request, res: Response, retryAfterSeconds: number, text: string): void {
  if (res.headersSent) {
    return;
  }
  const outcome = outcomeWithStatus(503, 'throttled', text);
  res
    .status(503)
    .setHeader('Retry-After', String(retryAfterSeconds))
    // Closing the connection discards a body the client may still be sending.
    .setHeader('Connection', 'close')
    .type(req.path.startsWith('/fhir') ? FHIR_JSON : 'application/json')
    .send(JSON.stringify(outcome));
}

/**
 * A handler that finishes after its request timed out must not write to the answer already sent
 * (express would throw, log, and drop the connection): its late answer is discarded.
 */
function discardLateAnswer(res: Response): void {
  const ignore = () => res;
  Object.assign(res, { setHeader: ignore, writeHead: ignore, write: () => true, end: ignore });
}

/**
 * Bounds the work a service takes on: at most `maxInFlight` requests are handled at once and
 * `maxQueued` wait; beyond that, or while the event loop is stalled past `maxEventLoopDelayMs`,
 * a request is answered 503 with Retry-After and an OperationOutcome at once, and any request still unanswered after `requestTimeoutMs` is answered
 * 503 instead of hanging. A timed-out request's work is stopped before its commit (the request's
 * `RequestDeadline`), so a 503 never hides a stored write; a commit already under way when the
 * limit passes gives the request its real answer instead, late by at most that commit.
 */
export function createAdmissionControl({
  maxInFlight = DEFAULT_MAX_IN_FLIGHT,
  maxQueued = maxInFlight,
  requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
  maxEventLoopDelayMs = DEFAULT_MAX_EVENT_LOOP_DELAY_MS,
  retryAfterSeconds = OVERLOAD_RETRY_AFTER_SECONDS,
  exempt = (path) => PROBE_PATHS.has(path),
}: AdmissionOptions = {}): AdmissionControl {
  let inFlight = 0;
  const queue: (() => void)[] = [];
  let lastTick = performance.now();
  let lastStallMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    lastStallMs = now - lastTick - LOOP_TICK_MS;
    lastTick = now;
  }, LOOP_TICK_MS);
  ticker.unref();
  // The stall in progress (requests handled in one long poll phase) or the one just ended.
  const loopStalled = () =>
    Math.max(performance.now() - lastTick - LOOP_TICK_MS, lastStallMs) > maxEventLoopDelayMs;

  const admitNext = () => {
    while (inFlight < maxInFlight && queue.length > 0) {
      queue.shift()?.();
    }
  };

  const middleware: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    if (exempt(req.path)) {
      next();
      return;
    }
    if (inFlight >= maxInFlight && queue.length >= maxQueued) {
      serviceMetrics().recordOverload('in_flight');
      refuse(req, res, retryAfterSeconds, 'Service overloaded; retry later');
      return;
    }
    if (loopStalled()) {
      serviceMetrics().recordOverload('event_loop');
      refuse(req, res, retryAfterSeconds, 'Service overloaded; retry later');
      return;
    }
    let admitted = false;
    let done = false;
    const admit = () => {
      admitted = true;
      inFlight += 1;
      next();
    };
    const finish = () => {
      if (done) {
        return;
      }
      done = true;
      clearTimeout(timer);
      if (admitted) {
        inFlight -= 1;
      } else {
        queue.splice(queue.indexOf(admit), 1);
      }
      admitNext();
    };
    const aborter = new AbortController();
    let holds = 0;
    const timeOut = () => {
      if (done) {
        return;
      }
      serviceMetrics().recordOverload('timeout');
      refuse(req, res, retryAfterSeconds, `request not answered within ${String(requestTimeoutMs)} ms`);
      discardLateAnswer(res);
      aborter.abort();
      finish();
    };
    let expiredWhileHeld = false;
    const timer = setTimeout(() => {
      // A commit under way decides the answer: a 503 over it could tell "not stored" of a stored write.
      if (holds > 0) {
        expiredWhileHeld = true;
        return;
      }
      timeOut();
    }, requestTimeoutMs);
    setRequestDeadline(res, {
      signal: aborter.signal,
      hold: () => {
        if (aborter.signal.aborted) {
          return null;
        }
        holds += 1;
        let released = false;
        return () => {
          if (released) {
            return;
          }
          released = true;
          holds -= 1;
          // The handler answers right after its commit; only a request that then says nothing times out.
          if (holds === 0 && expiredWhileHeld) {
            setImmediate(() => {
              if (!res.headersSent) {
                timeOut();
              }
            });
          }
        };
      },
    });
    res.once('finish', finish);
    res.once('close', finish);
    if (inFlight < maxInFlight) {
      admit();
    } else {
      queue.push(admit);
    }
  };

  return {
    middleware,
    load: () => ({ inFlight, queued: queue.length }),
    stop: () => clearInterval(ticker),
  };
}
