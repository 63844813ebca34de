import cors from 'cors';
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { ConfigError, type Env } from './config.ts';

/**
 * Security headers for every answer: a Content-Security-Policy that allows only the service's own
 * scripts, styles and connections (no inline scripts, no framing), `X-Content-Type-Options:
 * nosniff`, `Referrer-Policy: same-origin` (page addresses carry patient keys), and the rest of
 * helmet's defaults. `connectOrigins` are extra origins the page may fetch from.
 */
export function securityHeaders({
  connectOrigins = [],
  formActionOrigins = [],
}: {
  connectOrigins?: readonly string[];
  /** Where the page's forms may lead, redirects included (sign-out goes on to the provider). */
  formActionOrigins?: readonly string[];
} = {}) {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'connect-src': ["'self'", ...connectOrigins],
        'object-src': ["'none'"],
        'base-uri': ["'none'"],
        'frame-ancestors': ["'none'"],
        'form-action': ["'self'", ...formActionOrigins],
      },
    },
    // Same-origin: the Origin header of the page's own form posts stays (the CSRF check reads it).
    referrerPolicy: { policy: 'same-origin' },
    // Sign-in pages of another origin open from here; they need no window handle back.
    crossOriginOpenerPolicy: { policy: 'same-origin' },
  });
}

/**
 * CORS for the configured origins only: a browser page from any other origin cannot read the
 * answers. No origins (the default): no CORS headers at all, so only same-origin pages read them.
 */
export function corsFor(origins: readonly string[]): RequestHandler {
  const allowed = new Set(origins);
  return cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Accept', 'If-Match', 'If-None-Match'],
    exposedHeaders: ['ETag', 'Location', 'Retry-After', 'WWW-Authenticate'],
    maxAge: 600,
  });
}

/** CORS_ORIGINS: comma-separated origins (`https://ehr.hospital.example`) allowed to call; default none. */
export function readCorsOrigins(env: Env): string[] {
  const origins = (env.CORS_ORIGINS ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of origins) {
    if (origin === '*' || !URL.canParse(origin) || new URL(origin).origin !== origin) {
      throw new ConfigError(
        'CORS_ORIGINS',
        `holds ${JSON.stringify(origin)}; give origins such as https://ehr.example.org (no path, no *)`,
      );
    }
  }
  return origins;
}
