/**
 * The development clients of the embedded authorization server, one per caller. Backend clients
 * authenticate with `private_key_jwt` (SMART Backend Services); their private keys are created on
 * first start under DATA_DIR/clients/ so the CLI, the demo loader and tests can sign assertions.
 */
export interface BackendClient {
  kind: 'backend';
  clientId: string;
  /** The SMART scopes it may be granted; a request for more is cut down to these. */
  allowedScopes: string;
  /** Whether it may ask for a token bound to a patient (`patient` form parameter). */
  mayBindPatient: boolean;
  purpose: string;
}

export interface PublicClient {
  kind: 'public';
  clientId: string;
  allowedScopes: string;
  purpose: string;
}

export type DevClient = BackendClient | PublicClient;

/** OpenID and SMART launch scopes (not resource scopes). */
export const OIDC_SCOPES = [
  'openid',
  'profile',
  'fhirUser',
  'launch',
  'launch/patient',
  'offline_access',
  'online_access',
] as const;

export const DEV_CLIENTS: readonly DevClient[] = [
  {
    kind: 'backend',
    clientId: 'ehr-dev',
    allowedScopes: 'system/ServiceRequest.crus',
    mayBindPatient: false,
    purpose: 'the order placer (EHR) calling the order service',
  },
  {
    kind: 'backend',
    clientId: 'pacs-dev',
    allowedScopes: 'system/ImagingStudy.crus',
    mayBindPatient: false,
    purpose: 'the PACS / modality gateway calling the study service',
  },
  {
    kind: 'backend',
    clientId: 'ris-dev',
    allowedScopes: 'system/DiagnosticReport.crus',
    mayBindPatient: false,
    purpose: 'the RIS / reporting system calling the report service',
  },
  {
    kind: 'backend',
    clientId: 'demo-loader',
    allowedScopes: 'system/ServiceRequest.cru system/ImagingStudy.cru system/DiagnosticReport.cru',
    mayBindPatient: false,
    purpose: 'the demo cohort loader of `npm start`',
  },
  {
    kind: 'backend',
    clientId: 'cli-dev',
    allowedScopes: 'system/*.cruds patient/*.cruds',
    mayBindPatient: true,
    purpose: 'the oncoimg CLI (`oncoimg token`, publish, …) and scripts',
  },
  {
    kind: 'public',
    clientId: 'timeline-web',
    allowedScopes: `user/*.rs patient/*.rs ${OIDC_SCOPES.join(' ')}`,
    purpose: 'the timeline web page (authorization code with PKCE)',
  },
];
