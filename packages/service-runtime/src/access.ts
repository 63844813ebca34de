import {
  capabilitySecurity,
  createServiceAccess,
  requireAccess,
  smartConfiguration,
  type ServiceAccess,
} from '@oncoimg/auth';
import type { CapabilityStatement, CapabilityStatementRestSecurity } from '@medplum/fhirtypes';
import { capabilityHeader } from '@oncoimg/fhir-http';
import type { Express, Request, RequestHandler } from 'express';
import { ConfigError, type Env } from './config.ts';

/** How a service checks its callers: the provider, and what may pass without a token. */
export interface HttpAccess extends ServiceAccess {
  /** `/metrics` without a token (METRICS_PUBLIC=true): for a scrape network the service is reachable from only. */
  metricsPublic?: boolean;
  /**
   * Where the access token comes from when there is no `Authorization` header (a sign-in
   * session's cookie); the header always wins.
   */
  tokenFrom?: (req: Request) => string | undefined;
}

export interface AccessConfig {
  issuer: string;
  audience: string;
  metricsPublic: boolean;
}

/** The access token audience the embedded provider issues and every service expects by default. */
export const DEFAULT_AUDIENCE = 'oncoimg';

/**
 * OIDC_ISSUER (required: no service runs without access control), OIDC_AUDIENCE (`oncoimg`) and
 * METRICS_PUBLIC (`false`).
 */
export function readAccessConfig(env: Env): AccessConfig {
  const issuer = env.OIDC_ISSUER?.trim();
  if (!issuer) {
    throw new ConfigError(
      'OIDC_ISSUER',
      'is required: the OpenID provider whose access tokens this service accepts (the embedded one is http://127.0.0.1:8085)',
    );
  }
  if (!/^https?:\/\//.test(issuer) || !URL.canParse(issuer)) {
    throw new ConfigError('OIDC_ISSUER', `must be an http(s) URL, got ${JSON.stringify(issuer)}`);
  }
  const metrics = env.METRICS_PUBLIC?.trim().toLowerCase() ?? 'false';
  if (metrics !== 'true' && metrics !== 'false') {
    throw new ConfigError(
      'METRICS_PUBLIC',
      `must be true or false, got ${JSON.stringify(env.METRICS_PUBLIC)}`,
    );
  }
  return {
    issuer,
    audience: env.OIDC_AUDIENCE?.trim() || DEFAULT_AUDIENCE,
    metricsPublic: metrics === 'true',
  };
}

/** The HttpAccess of a service's settings (read once by its main.ts). */
export function createHttpAccess({ issuer, audience, metricsPublic }: AccessConfig): HttpAccess {
  return { ...createServiceAccess({ issuer, audience }), metricsPublic };
}

/** `rest.security` of a CapabilityStatement: SMART on FHIR with the provider's endpoints. */
export function smartSecurity(access: ServiceAccess): () => Promise<CapabilityStatementRestSecurity> {
  return async () => capabilitySecurity(await access.endpoints());
}

/**
 * `GET /fhir/metadata` of a service whose own FHIR routes do not answer it (the timeline service):
 * a CapabilityStatement that tells a client where to get a token.
 */
export function securityMetadata(access: ServiceAccess): RequestHandler {
  return async (_req, res) => {
    const statement: CapabilityStatement = {
      ...capabilityHeader(),
      rest: [{ mode: 'server', security: capabilitySecurity(await access.endpoints()) }],
    };
    res.type('application/fhir+json').send(JSON.stringify(statement));
  };
}

/** Requests that pass without a token, besides the routes mounted before the check. */
const PUBLIC_GETS = new Set(['/fhir/metadata']);

/** The scopes this system's APIs understand, as SMART discovery advertises them. */
export const SCOPES_SUPPORTED = [
  'openid',
  'fhirUser',
  'launch',
  'launch/patient',
  'system/ServiceRequest.cruds',
  'system/ImagingStudy.cruds',
  'system/DiagnosticReport.cruds',
  'system/AuditEvent.rs',
  'system/Observation.rs',
  'user/*.rs',
  'patient/*.rs',
] as const;

/**
 * Mounts the SMART discovery document (public) and returns the bearer token check for everything
 * mounted after it. Callers learn how to get a token from `/fhir/.well-known/smart-configuration`.
 */
export function mountAccess(app: Express, access: HttpAccess): RequestHandler {
  app.get('/fhir/.well-known/smart-configuration', async (_req, res) => {
    res.json(smartConfiguration(await access.endpoints(), { scopesSupported: SCOPES_SUPPORTED }));
  });
  return requireAccess({
    verifier: access.verifier,
    isPublic: (req) => (req.method === 'GET' || req.method === 'HEAD') && PUBLIC_GETS.has(req.path),
    ...(access.tokenFrom ? { tokenFrom: access.tokenFrom } : {}),
  });
}
