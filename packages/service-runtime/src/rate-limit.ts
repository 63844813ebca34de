import { accessOf } from '@oncoimg/auth';
import { FHIR_JSON, outcomeWithStatus } from '@oncoimg/fhir-http';
import { serviceMetrics } from '@oncoimg/telemetry';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

export interface RateLimitOptions {
  /** Requests per second each client may make on average; 0 switches the limit off. */
  perSecond: number;
  /** Requests a client may make at once after a quiet spell (the bucket's size). */
  burst: number;
  /** Monotonic milliseconds; tests pass their own clock. */
  now?: () => number;
}

/**
 * Generous: the demo loader's cohort and the end-to-end tests send a few hundred requests in a
 * burst from one client. A hospital sets it from its callers' expected rates.
 */
export const DEFAULT_RATE_LIMIT_PER_SECOND = 200;
export const DEFAULT_RATE_LIMIT_BURST = 1_000;
export const DEFAULT_RATE_LIMIT: RateLimitOptions = {
  perSecond: DEFAULT_RATE_LIMIT_PER_SECOND,
  burst: DEFAULT_RATE_LIMIT_BURST,
};
/** Buckets kept before idle full ones are forgotten: one per client id the issuer hands out. */
const MAX_BUCKETS = 10_000;
/** The key of tokens without a client claim: they share one bucket. */
const NO_CLIENT = '(none)';

interface Bucket {
  tokens: number;
  at: number;
}

export interface RateLimiter {
  /** Takes one request of `client`: 0 when allowed, else the seconds until one is. */
  take(client: string): number;
}

/** A token bucket per client: `burst` requests at once, refilled at `perSecond`. */
export function createRateLimiter({
  perSecond,
  burst,
  now = () => performance.now(),
}: RateLimitOptions): RateLimiter {
  const buckets = new Map<string, Bucket>();
  const refill = (bucket: Bucket, at: number): void => {
    bucket.tokens = Math.min(burst, bucket.tokens + ((at - bucket.at) / 1_000) * perSecond);
    bucket.at = at;
  };
  return {
    take(client) {
      const at = now();
      let bucket = buckets.get(client);
      if (!bucket) {
        if (buckets.size >= MAX_BUCKETS) {
          for (const [key, idle] of buckets) {
            refill(idle, at);
            if (idle.tokens >= burst) {
              buckets.delete(key);
            }
          }
        }
        bucket = { tokens: burst, at };
        buckets.set(client, bucket);
      }
      refill(bucket, at);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond));
    },
  };
}

/**
 * Answers 429 with `Retry-After` and an OperationOutcome when the token's client (`client_id`)
 * has used up its bucket. Runs after the access check: requests without a valid token were
 * answered already, and public routes have no client to count.
 */
export function rateLimitMiddleware(options: RateLimitOptions): RequestHandler {
  if (options.perSecond <= 0) {
    return (_req, _res, next) => {
      next();
    };
  }
  const limiter = createRateLimiter(options);
  return (req: Request, res: Response, next: NextFunction) => {
    let client: string;
    try {
      client = accessOf(res).clientId ?? NO_CLIENT;
    } catch {
      next();
      return;
    }
    const waitSeconds = limiter.take(client);
    if (waitSeconds === 0) {
      next();
      return;
    }
    serviceMetrics().recordRateLimited(client);
    res
      .status(429)
      .setHeader('Retry-After', String(waitSeconds))
      .type(req.originalUrl.startsWith('/fhir') ? FHIR_JSON : 'application/json')
      .send(
        JSON.stringify(
          outcomeWithStatus(429, 'throttled', `too many requests from client ${client}; retry later`),
        ),
      );
  };
}
