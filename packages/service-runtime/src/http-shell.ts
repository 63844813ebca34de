import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorEdge, unknownRoute } from '@oncoimg/fhir-http';
import { httpMetricsMiddleware, metricsHandler } from '@oncoimg/telemetry';
import express, { type Express } from 'express';

/** What `/readyz` and `/status` report; `ready` decides between 200 and 503 on `/readyz`. */
export interface ServiceStatus {
  ready: boolean;
}

export interface HttpShellOptions<S extends ServiceStatus> {
  status: () => Promise<S>;
  /** Mounts the service's own routes, between the shared ones and the error edge. */
  routes: (app: Express) => void;
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
 * `status()`), `/status`, `/metrics`, the service's routes, then a JSON 404 for unknown routes
 * and the one error edge (errorEdge of @oncoimg/fhir-http).
 */
export function createHttpShell<S extends ServiceStatus>({ status, routes }: HttpShellOptions<S>): HttpShell {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(httpMetricsMiddleware());
  app.get('/metrics', metricsHandler);
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'up' });
  });
  app.get('/readyz', async (_req, res) => {
    const current = await status();
    res.status(current.ready ? 200 : 503).json(current);
  });
  app.get('/status', async (_req, res) => {
    res.json(await status());
  });
  routes(app);
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
      const closing = server;
      server = undefined;
      if (!closing) return;
      closing.closeAllConnections();
      await new Promise<void>((resolve) => closing.close(() => resolve()));
    },
  };
}
