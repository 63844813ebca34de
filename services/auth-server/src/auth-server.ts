import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Provider from 'oidc-provider';
import { DEV_CLIENTS } from './dev-clients.ts';
import { DEV_USERS, type DevUser } from './dev-users.ts';
import { handleInteraction } from './interactions.ts';
import { loadOrCreateSecrets } from './keys.ts';
import { createAuthProvider } from './provider.ts';

export interface AuthServerOptions {
  port: number;
  host: string;
  /** Default `http://{host}:{port}` with the port actually bound (so port 0 works in tests). */
  issuer?: string;
  audience: string;
  dataDir: string;
  redirectUris: string[];
  users?: readonly DevUser[];
  accessTokenTtlSec?: number;
  /** Interaction errors are reported here without request data. */
  onError?: (error: unknown) => void;
}

export interface RunningAuthServer {
  issuer: string;
  /** The base URL it listens on. */
  url: string;
  provider: Provider;
  close(): Promise<void>;
}

/**
 * Starts the embedded OpenID Connect / OAuth 2.0 authorization server: keys from DATA_DIR (created
 * on first start), `/healthz` and `/readyz`, the login pages, and oidc-provider for the rest.
 */
export async function startAuthServer({
  port,
  host,
  issuer: configuredIssuer,
  audience,
  dataDir,
  redirectUris,
  users = DEV_USERS,
  accessTokenTtlSec,
  onError = () => undefined,
}: AuthServerOptions): Promise<RunningAuthServer> {
  const secrets = await loadOrCreateSecrets(
    dataDir,
    DEV_CLIENTS.filter((c) => c.kind === 'backend').map((c) => c.clientId),
  );
  // Requests can arrive between listen() and the provider being built (it needs the bound port).
  const state: {
    ready?: { provider: Provider; serve: (req: IncomingMessage, res: ServerResponse) => unknown };
  } = {};
  const server: Server = createServer((req, res) => {
    const { ready } = state;
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/healthz' || path === '/readyz') {
      res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: ready ? 'ok' : 'starting' }));
      return;
    }
    if (!ready) {
      res.writeHead(503).end();
      return;
    }
    const { provider, serve } = ready;
    handleInteraction(provider, users, req, res).then(
      (handled) => {
        if (!handled) {
          serve(req, res);
        }
      },
      (error: unknown) => {
        onError(error);
        if (!res.headersSent) {
          res.writeHead(400, { 'content-type': 'text/plain' });
        }
        res.end('the sign-in could not be completed; start again from the application\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const url = `http://${host}:${String((server.address() as AddressInfo).port)}`;
  const issuer = configuredIssuer ?? url;
  const provider = createAuthProvider({
    issuer,
    audience,
    redirectUris,
    users,
    ...secrets,
    ...(accessTokenTtlSec === undefined ? {} : { accessTokenTtlSec }),
  });
  state.ready = { provider, serve: provider.callback() };
  return {
    issuer,
    url,
    provider,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
