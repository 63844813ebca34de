import { readFile } from 'node:fs/promises';
import { devClientKeyPath, requestBackendToken, TokenRequestError, type TokenResponse } from '@oncoimg/auth';
import type { JWK } from 'jose';
import { defineCommand, parseOptions, type Env } from '../command.ts';
import { CliError, usageError } from '../errors.ts';

export interface TokenOptions {
  issuer: string;
  clientId: string;
  /** Where the client's private key is: DATA_DIR/clients/{client}.private.jwk.json. */
  keyFile: string;
  scope: string;
  patient: string | undefined;
}

const NAME = 'token';

export const DEFAULT_ISSUER = 'http://127.0.0.1:8085';
export const DEFAULT_TOKEN_CLIENT = 'cli-dev';
export const DEFAULT_AUTH_DATA_DIR = '.data/auth-server';

export function parseTokenOptions(args: string[], env: Env = {}): TokenOptions {
  const { values } = parseOptions(NAME, args, {
    scope: { type: 'string' },
    patient: { type: 'string' },
    client: { type: 'string' },
    issuer: { type: 'string' },
    'key-file': { type: 'string' },
  });
  const scope = values.scope?.trim().split(/\s+/).join(' ') ?? '';
  if (scope === '') {
    throw usageError('--scope is required (for example --scope "system/*.rs")', NAME);
  }
  const issuer = values.issuer ?? (env.OIDC_ISSUER?.trim() || DEFAULT_ISSUER);
  if (!URL.canParse(issuer)) {
    throw usageError(`issuer ${JSON.stringify(issuer)} is not a URL`, NAME);
  }
  if (values.patient !== undefined && values.patient.trim() === '') {
    throw usageError('--patient is empty', NAME);
  }
  const clientId = values.client ?? DEFAULT_TOKEN_CLIENT;
  const dataDir = env.AUTH_DATA_DIR?.trim() || DEFAULT_AUTH_DATA_DIR;
  return {
    issuer,
    clientId,
    keyFile: values['key-file'] ?? devClientKeyPath(dataDir, clientId),
    scope,
    patient: values.patient,
  };
}

async function readKey(path: string, clientId: string): Promise<JWK> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as JWK;
  } catch (error) {
    throw new CliError(
      'NOT_FOUND',
      `no private key for client ${clientId} at ${path}; the authorization server creates it on its first start (npm start)`,
      { cause: error },
    );
  }
}

/** A token from the authorization server, or a CliError saying why not. */
export async function fetchToken(options: TokenOptions, fetchFn: typeof fetch): Promise<TokenResponse> {
  const privateJwk = await readKey(options.keyFile, options.clientId);
  try {
    return await requestBackendToken({
      issuer: options.issuer,
      clientId: options.clientId,
      privateJwk,
      scope: options.scope,
      ...(options.patient === undefined ? {} : { patient: options.patient }),
      fetch: fetchFn,
    });
  } catch (error) {
    if (error instanceof TokenRequestError) {
      throw new CliError(error.oauthError ? 'REJECTED' : 'HTTP_FAILED', error.message, {
        retriable: error.retriable,
        cause: error,
      });
    }
    throw error;
  }
}

export const tokenCommand = defineCommand({
  name: NAME,
  summary: 'print an access token from the authorization server',
  usage: 'token --scope "<scopes>" [--patient KEY] [--client ID] [--issuer URL] [--key-file PATH]',
  description: `Prints an access token, and only the token, from the authorization server (SMART Backend Services:
client credentials with a private_key_jwt assertion signed with the development client's key).
  curl -H "Authorization: Bearer $(npm run -s oncoimg -- token --scope 'system/*.rs')" …
A scope the client may not have is left out of the token; the token is refused where it is needed.`,
  options: `  --scope SCOPES     space-separated SMART scopes (system/ServiceRequest.c, patient/*.rs, …)
  --patient KEY      a token bound to this patient key (system|value, or Patient/id)
  --client ID        the development client (default: ${DEFAULT_TOKEN_CLIENT})
  --issuer URL       the authorization server (default: $OIDC_ISSUER or ${DEFAULT_ISSUER})
  --key-file PATH    the client's private JWK (default: $AUTH_DATA_DIR or ${DEFAULT_AUTH_DATA_DIR},
                     then clients/<client>.private.jwk.json)`,
  kafka: false,
  parse: parseTokenOptions,
  async run(options, context) {
    const { access_token: token } = await fetchToken(options, context.fetch);
    context.out(token);
    return 0;
  },
});
