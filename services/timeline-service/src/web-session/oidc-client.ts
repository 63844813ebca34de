import * as client from 'openid-client';

/**
 * The timeline page's side of the OpenID Connect provider, through openid-client: discovery
 * (fetched when first needed and kept; fetched again after a failure, so a provider that starts
 * after the service is found), authorization URLs with PKCE S256, the code exchange and the
 * provider's end-session URL. The page is a public client: it proves itself with PKCE, not a secret.
 */
export interface PageOidcClient {
  /** Where to send the browser, and what /callback must check. */
  authorizationRequest(options: {
    redirectUri: string;
    scope: string;
    /** SMART EHR launch: the launch id the EHR passed. */
    launch?: string;
  }): Promise<{ url: URL; state: string; nonce: string; codeVerifier: string }>;
  /** Exchanges the code of the callback URL, checking state, nonce and the PKCE verifier. */
  exchange(
    callbackUrl: URL,
    checks: { state: string; nonce: string; codeVerifier: string },
  ): Promise<{
    accessToken: string;
    idToken: string | undefined;
    expiresInSec: number | undefined;
    claims: Record<string, unknown>;
    /** SMART launch context of the token response. */
    patient: string | undefined;
  }>;
  /** The provider's RP-initiated logout URL, when it offers end_session_endpoint. */
  endSessionUrl(options: {
    idToken: string | undefined;
    postLogoutRedirectUri: string;
  }): Promise<URL | undefined>;
  issuer: string;
}

export interface PageOidcClientOptions {
  issuer: string;
  clientId: string;
}

export function createPageOidcClient({ issuer, clientId }: PageOidcClientOptions): PageOidcClient {
  let discovered: Promise<client.Configuration> | undefined;
  const configuration = (): Promise<client.Configuration> => {
    discovered ??= client
      .discovery(new URL(issuer), clientId, undefined, client.None(), {
        // The embedded development provider answers on plain http on the loopback interface; the
        // library marks this deprecated only to make it stand out.
        // eslint-disable-next-line @typescript-eslint/no-deprecated
        ...(new URL(issuer).protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : {}),
      })
      .catch((error: unknown) => {
        discovered = undefined;
        throw error;
      });
    return discovered;
  };

  return {
    issuer,
    async authorizationRequest({ redirectUri, scope, launch }) {
      const config = await configuration();
      const codeVerifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope,
        state,
        nonce,
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        ...(launch === undefined ? {} : { launch }),
      });
      return { url, state, nonce, codeVerifier };
    },
    async exchange(callbackUrl, { state, nonce, codeVerifier }) {
      const config = await configuration();
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: codeVerifier,
        expectedState: state,
        expectedNonce: nonce,
        idTokenExpected: true,
      });
      return {
        accessToken: tokens.access_token,
        idToken: tokens.id_token,
        expiresInSec: tokens.expiresIn(),
        claims: { ...(tokens.claims() ?? {}) },
        patient: typeof tokens.patient === 'string' ? tokens.patient : undefined,
      };
    },
    async endSessionUrl({ idToken, postLogoutRedirectUri }) {
      const config = await configuration();
      if (!config.serverMetadata().end_session_endpoint) {
        return undefined;
      }
      return client.buildEndSessionUrl(config, {
        post_logout_redirect_uri: postLogoutRedirectUri,
        ...(idToken === undefined ? {} : { id_token_hint: idToken }),
      });
    },
  };
}
