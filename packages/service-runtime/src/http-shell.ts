import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorEdge, unknownRoute } from '@oncoimg/fhir-http';
import { httpMetricsMiddleware, metricsHandler } from '@oncoimg/telemetry';
import express, { type Express } from 'express';
import { mountAccess, securityMetadata, type HttpAccess } from './access.ts';
import { createAdmissionControl, type AdmissionOptions } from './admission-control.ts';
import { auditTrail, type AuditTrailOptions } from './audit/audit-trail.ts';
import { DEFAULT_RATE_LIMIT, rateLimitMiddleware, type RateLimitOptions } from './rate-limit.ts';

/**
 * What `/readyz` and `/status` report; `ready` decides between 200 and 503 on `/readyz`. A
 * dependency is a field whose value is `'up'` or `'down'` (`database`, `kafka`, `consumer`).
 */
export interface ServiceStatus {
  ready: boolean;
  /** The dependencies that are down; the shell fills it in from the `'down'` fields when absent. */
  missing?: string[];
}

export interface HttpShellOptions<S extends ServiceStatus> {
  status: () => Promise<S>;
  /**
   * Who may call: every route but `/healthz`, `/readyz`, `/fhir/metadata`, SMART discovery and
   * `publicRoutes` needs a valid bearer token. There is no way to leave it out.
   */
  access: HttpAccess;
  /** Mounts the service's own routes after the token check, before the error edge. */
  routes: (app: Express) => void;
  /** Routes mounted before the token check (a web page's static files, its sign-in callback). */
  publicRoutes?: (app: Express) => void;
  /**
   * Bounds requests in flight and their time (createAdmissionControl); off when undefined, as a
   * service with long-lived event streams needs.
   */
  admission?: AdmissionOptions;
  /** Records an AuditEvent for every API request once answered (auditTrail); none when undefined. */
  audit?: AuditTrailOptions;
  /**
   * The per-client token bucket (rateLimitMiddleware), after the access check: 200 requests a
   * second, bursts of 1000, unless given; `perSecond: 0` switches it off.
   */
  rateLimit?: RateLimitOptions;
}

/** The readiness contract: every answer names what is missing, `[]` when nothing is. */
export function withMissing<S extends ServiceStatus>(status: S): S & { missing: string[] } {
  const missing =
    status.missing ??
    Object.entries(status)
      .filter(([, value]) => value === 'down')
      .map(([name]) => name);
  return { ...status, missing };
}

export interface HttpShell {
  app: Express;
  /** Listens and resolves with the bound port (useful with port 0). */
  listen(options: { port: number; host: string }): Promise<{ port: number }>;
  /** Drops open connections (a live event stream would hold the server open) and stops listening. */
  close(): Promise<void>;
}

/**
 * The HTTP app every service runs: `/healthz` (process up), `/readyz` (200 or 503 from
 * `status()`, with the `missing` dependencies), admission control when asked, SMART discovery,
 * then the bearer token check (createHttpAccess) before `/status`, `/metrics` (unless
 * METRICS_PUBLIC) and the service's routes, then a JSON 404 for unknown routes and the one error edge
 * (errorEdge of @oncoimg/fhir-http).
 */
export function createHttpShell<S extends ServiceStatus>({
  status,
  access,
  routes,
  publicRoutes,
  admission,
  audit,
  rateLimit = DEFAULT_RATE_LIMIT,
}: HttpShellOptions<S>): HttpShell {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(httpMetricsMiddleware());
  const admissionControl = admission ? createAdmissionControl(admission) : undefined;
  if (admissionControl) {
    app.use(admissionControl.middleware);
  }
  // After admission control: a request refused for overload touched no data and costs no audit row.
  // Before the token check: a refused token is audited too.
  if (audit) {
    app.use(auditTrail(audit));
  }
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'up' });
  });
  app.get('/readyz', async (_req, res) => {
    const current = withMissing(await status());
    res.status(current.ready ? 200 : 503).json(current);
  });
  if (access.metricsPublic) {
    app.get('/metrics', metricsHandler);
  }
  publicRoutes?.(app);
  app.use(mountAccess(app, access));
  app.use(rateLimitMiddleware(rateLimit));
  app.get('/metrics', metricsHandler);
  app.get('/status', async (_req, res) => {
    res.json(withMissing(await status()));
  });
  routes(app);
  // Only reached when the service's routes have no CapabilityStatement of their own.
  app.get('/fhir/metadata', securityMetadata(access));
  app.use(unknownRoute('application/json'));
  app.use(errorEdge('application/json'));

  let server: Server | undefined;
  return {
    app,
    async listen({ port, host }) {
      const listening = app.listen(port, host);
      server = listening;
      await new Promise<void>((resolve, reject) => {
        listening.once('listening', resolve);
        listening.once('error', reject);
      });
      return { port: (listening.address() as AddressInfo).port };
    },
    async close() {
      admissionControl?.stop();
      const closing = server;
      server = undefined;
      if (!closing) {
        return;
      }
      closing.closeAllConnections();
      await new Promise<void>((resolve) => closing.close(() => resolve()));
    },
  };
}
