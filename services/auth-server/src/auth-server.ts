import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTokenVerifier } from '@oncoimg/auth';
import type Provider from 'oidc-provider';
import { DEV_CLIENTS } from './dev-clients.ts';
import { DEV_USERS, type DevUser } from './dev-users.ts';
import { handleInteraction } from './interactions.ts';
import { loadOrCreateSecrets } from './keys.ts';
import { createLaunchContexts, type LaunchContexts } from './launch-contexts.ts';
import { handleLaunchRegistration, LAUNCH_CONTEXTS_PATH } from './launch-endpoint.ts';
import { createAuthProvider, GRANT_TTL_SEC } from './provider.ts';

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
  /** SMART launch ids (also registered over HTTP at `POST /launch-contexts`). */
  launchContexts: LaunchContexts;
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
  const launchContexts = createLaunchContexts({ grantTtlSec: GRANT_TTL_SEC });
  // Requests can arrive between listen() and the provider being built (it needs the bound port).
  const state: {
    ready?: {
      provider: Provider;
      serve: (req: IncomingMessage, res: ServerResponse) => unknown;
      answer: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
    };
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
    const { serve, answer } = ready;
    answer(req, res).then(
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
    launchContexts,
    ...secrets,
    ...(accessTokenTtlSec === undefined ? {} : { accessTokenTtlSec }),
  });
  // Its own tokens, checked against its own key set on the address it listens on.
  const verifier = createTokenVerifier({ issuer, audience, jwksUri: `${url}/jwks` });
  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (new URL(req.url ?? '/', 'http://x').pathname === LAUNCH_CONTEXTS_PATH) {
      await handleLaunchRegistration({ verifier, launchContexts, clients: DEV_CLIENTS }, req, res);
      return true;
    }
    return handleInteraction({ provider, users, launchContexts }, req, res);
  };
  state.ready = { provider, serve: provider.callback(), answer };
  return {
    issuer,
    url,
    provider,
    launchContexts,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
