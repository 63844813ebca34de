import { isScopeCovered, parseScopes, patientKeyOfClaim, SCOPE_CONTEXTS, INTERACTIONS } from '@oncoimg/auth';
import { decodeJwt, type JWK } from 'jose';
import Provider, {
  errors,
  type ClientMetadata,
  type Configuration,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import { DEV_CLIENTS, OIDC_SCOPES, type DevClient } from './dev-clients.ts';
import type { DevUser } from './dev-users.ts';
import { SIGNING_ALG } from './keys.ts';
import type { LaunchContexts } from './launch-contexts.ts';
import { logoutSource, smartLaunchPolicy } from './launch-policy.ts';

/**
 * The one resource server this authorization server issues tokens for. OAuth resource indicators
 * must be absolute URIs; the token's `aud` is the configured audience (default `oncoimg`).
 */
export const API_RESOURCE = 'urn:oncoimg:api';

/** The resource types the imaging services serve, and `*`. */
export const RESOURCE_TYPES = [
  '*',
  'Patient',
  'ServiceRequest',
  'ImagingStudy',
  'DiagnosticReport',
  'AuditEvent',
  // The timeline's derived responses and the subscription service's Subscriptions.
  'Observation',
  'Subscription',
];

/** Every SMART scope string over RESOURCE_TYPES: v2 permission sets in order, and v1 forms. */
function everyResourceScope(): string[] {
  const permissions: string[] = ['read', 'write', '*'];
  for (let mask = 1; mask < 1 << INTERACTIONS.length; mask += 1) {
    permissions.push(INTERACTIONS.filter((_, bit) => mask & (1 << bit)).join(''));
  }
  return SCOPE_CONTEXTS.flatMap((context) =>
    RESOURCE_TYPES.flatMap((type) => permissions.map((p) => `${context}/${type}.${p}`)),
  );
}

/** The resource scopes a client may be granted: every scope its allowance covers. */
function resourceScopesOf(client: DevClient): string {
  const allowed = parseScopes(client.allowedScopes);
  return everyResourceScope()
    .filter((scope) => isScopeCovered(scope, allowed))
    .join(' ');
}

/** Where the page lands after signing out at the provider: `/signed-out` beside each `/callback`. */
export function postLogoutRedirectUris(redirectUris: readonly string[]): string[] {
  return redirectUris.map((uri) => new URL('/signed-out', uri).href);
}

function clientMetadata(
  client: DevClient,
  clientKeys: Map<string, JWK>,
  redirectUris: string[],
): ClientMetadata {
  if (client.kind === 'public') {
    return {
      client_id: client.clientId,
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: redirectUris,
      post_logout_redirect_uris: postLogoutRedirectUris(redirectUris),
      scope: OIDC_SCOPES.join(' '),
    };
  }
  const key = clientKeys.get(client.clientId);
  if (!key) {
    throw new Error(`no key for client ${client.clientId}`);
  }
  return {
    client_id: client.clientId,
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: SIGNING_ALG,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    jwks: { keys: [key] },
  };
}

export interface AuthProviderOptions {
  issuer: string;
  audience: string;
  signingKey: JWK;
  cookieKeys: string[];
  clientKeys: Map<string, JWK>;
  users: readonly DevUser[];
  /** Where the timeline page may receive its authorization code. */
  redirectUris: string[];
  clients?: readonly DevClient[];
  accessTokenTtlSec?: number;
  /** SMART launch ids and the patients of launched grants. */
  launchContexts: LaunchContexts;
}

/** A working day: the clinician signs in once per shift, not per timeline. */
export const GRANT_TTL_SEC = 12 * 3_600;

/** The patient form parameter of a client-credentials request, for a client allowed to bind one. */
function boundPatient(ctx: KoaContextWithOIDC, client: DevClient | undefined): string | undefined {
  const body = (ctx.oidc as { body?: Record<string, unknown> }).body;
  const requested = body?.patient;
  if (requested === undefined) {
    return undefined;
  }
  if (client?.kind !== 'backend' || !client.mayBindPatient) {
    throw new errors.InvalidRequest('this client may not ask for a patient-bound token');
  }
  const key = patientKeyOfClaim(requested);
  if (key === undefined) {
    throw new errors.InvalidRequest('patient is not a patient key');
  }
  return key;
}

/** An oidc-provider instance configured for SMART: JWT access tokens for API_RESOURCE. */
export function createAuthProvider({
  issuer,
  audience,
  signingKey,
  cookieKeys,
  clientKeys,
  users,
  redirectUris,
  clients = DEV_CLIENTS,
  accessTokenTtlSec = 3_600,
  launchContexts,
}: AuthProviderOptions): Provider {
  const byId = new Map(clients.map((client) => [client.clientId, client]));
  const resourceScopes = new Map(clients.map((client) => [client.clientId, resourceScopesOf(client)]));
  const userOf = (accountId: string | undefined) => users.find((user) => user.username === accountId);

  const configuration: Configuration = {
    clients: clients.map((client) => clientMetadata(client, clientKeys, redirectUris)),
    jwks: { keys: [signingKey] },
    cookies: { keys: cookieKeys },
    scopes: [...OIDC_SCOPES],
    // SMART EHR launch: the launch id the app got from the EHR.
    extraParams: ['launch'],
    // The page shows who signed in from the ID token alone (name, fhirUser): no userinfo call.
    conformIdTokenClaims: false,
    claims: { openid: ['sub'], profile: ['name'], fhirUser: ['fhirUser'] },
    pkce: { required: () => true },
    responseTypes: ['code'],
    clientDefaults: {
      grant_types: ['authorization_code'],
      id_token_signed_response_alg: SIGNING_ALG,
      response_types: ['code'],
      token_endpoint_auth_method: 'private_key_jwt',
    },
    enabledJWA: { clientAuthSigningAlgValues: ['ES256', 'ES384', 'RS256', 'RS384', 'PS256', 'EdDSA'] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => API_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource, client) => {
          if (resource !== API_RESOURCE) {
            throw new errors.InvalidTarget();
          }
          return {
            audience,
            scope: resourceScopes.get(client.clientId) ?? '',
            accessTokenFormat: 'jwt',
            accessTokenTTL: accessTokenTtlSec,
            jwt: { sign: { alg: SIGNING_ALG } },
          };
        },
      },
    },
    interactions: {
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
      policy: smartLaunchPolicy(launchContexts),
    },
    findAccount: (_ctx, sub) => {
      const user = userOf(sub);
      if (!user) {
        return undefined;
      }
      return {
        accountId: user.username,
        claims: () => ({
          sub: user.username,
          name: user.name,
          ...(user.fhirUser ? { fhirUser: user.fhirUser } : {}),
        }),
      };
    },
    extraTokenClaims: (ctx, token) => {
      if (token.kind === 'ClientCredentials') {
        const patient = boundPatient(ctx, byId.get(token.clientId ?? ''));
        return patient === undefined ? undefined : { patient };
      }
      const user = userOf('accountId' in token ? token.accountId : undefined);
      if (!user) {
        return undefined;
      }
      // A launched or picked patient (the interaction bound it to this grant), else the user's own.
      const patient =
        launchContexts.patientOfGrant('grantId' in token ? token.grantId : undefined) ?? user.patient;
      return {
        ...(patient ? { patient } : {}),
        ...(user.fhirUser ? { fhirUser: user.fhirUser } : {}),
      };
    },
    ttl: {
      ClientCredentials: accessTokenTtlSec,
      AccessToken: accessTokenTtlSec,
      IdToken: accessTokenTtlSec,
      // A sign-in page left open longer than this starts again from the application.
      Interaction: 15 * 60,
      Session: GRANT_TTL_SEC,
      Grant: GRANT_TTL_SEC,
    },
    renderError: (ctx, out) => {
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = `${out.error}: ${out.error_description ?? ''}\n`;
    },
  };
  const provider = new Provider(issuer, configuration);
  // SMART apps read the patient context from the token response as well as from the token.
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as Record<string, unknown> | undefined;
    if (ctx.path !== '/token' || typeof body?.access_token !== 'string') {
      return;
    }
    const { patient } = decodeJwt(body.access_token);
    if (typeof patient === 'string') {
      ctx.body = { ...body, patient };
    }
  });
  return provider;
}
