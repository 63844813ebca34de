import type { CapabilityStatementRestSecurity } from '@medplum/fhirtypes';

/** Where the authorization server answers; from its discovery document or configuration. */
export interface AuthorizationEndpoints {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
  revocationEndpoint?: string;
  introspectionEndpoint?: string;
}

/** What the SMART discovery document advertises beyond the endpoints. */
export const SMART_CAPABILITIES = [
  'launch-ehr',
  'launch-standalone',
  'client-public',
  'client-confidential-asymmetric',
  'context-ehr-patient',
  'context-standalone-patient',
  'permission-patient',
  'permission-user',
  'permission-v1',
  'permission-v2',
  'sso-openid-connect',
] as const;

/** The body of `/.well-known/smart-configuration` (SMART App Launch 2.x). */
export function smartConfiguration(
  endpoints: AuthorizationEndpoints,
  { scopesSupported = [] }: { scopesSupported?: readonly string[] } = {},
): Record<string, unknown> {
  return {
    issuer: endpoints.issuer,
    jwks_uri: endpoints.jwksUri,
    authorization_endpoint: endpoints.authorizationEndpoint,
    token_endpoint: endpoints.tokenEndpoint,
    ...(endpoints.revocationEndpoint ? { revocation_endpoint: endpoints.revocationEndpoint } : {}),
    ...(endpoints.introspectionEndpoint ? { introspection_endpoint: endpoints.introspectionEndpoint } : {}),
    grant_types_supported: ['authorization_code', 'client_credentials'],
    token_endpoint_auth_methods_supported: ['private_key_jwt', 'none'],
    token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384', 'RS256', 'ES256'],
    scopes_supported: [...scopesSupported],
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    capabilities: [...SMART_CAPABILITIES],
  };
}

/** `rest.security` of a CapabilityStatement: SMART-on-FHIR service and the oauth-uris extension. */
export function capabilitySecurity(endpoints: AuthorizationEndpoints): CapabilityStatementRestSecurity {
  return {
    cors: true,
    service: [
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/restful-security-service',
            code: 'SMART-on-FHIR',
          },
        ],
        text: 'OAuth2 using SMART-on-FHIR profile (see http://docs.smarthealthit.org)',
      },
    ],
    extension: [
      {
        url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
        extension: [
          { url: 'token', valueUri: endpoints.tokenEndpoint },
          { url: 'authorize', valueUri: endpoints.authorizationEndpoint },
          ...(endpoints.revocationEndpoint
            ? [{ url: 'revoke', valueUri: endpoints.revocationEndpoint }]
            : []),
          ...(endpoints.introspectionEndpoint
            ? [{ url: 'introspect', valueUri: endpoints.introspectionEndpoint }]
            : []),
        ],
      },
    ],
  };
}

/** The endpoints named by an OpenID discovery document. */
export function endpointsOfDiscovery(document: Record<string, unknown>): AuthorizationEndpoints {
  const text = (name: string) => {
    const value = document[name];
    if (typeof value !== 'string') {
      throw new Error(`the discovery document has no ${name}`);
    }
    return value;
  };
  const optional = (name: string) => (typeof document[name] === 'string' ? document[name] : undefined);
  return {
    issuer: text('issuer'),
    authorizationEndpoint: text('authorization_endpoint'),
    tokenEndpoint: text('token_endpoint'),
    jwksUri: text('jwks_uri'),
    ...(optional('revocation_endpoint') ? { revocationEndpoint: optional('revocation_endpoint') } : {}),
    ...(optional('introspection_endpoint')
      ? { introspectionEndpoint: optional('introspection_endpoint') }
      : {}),
  };
}
