import { forbidden, OperationOutcomeError, unauthorized } from '@medplum/core';
import type { OperationOutcome } from '@medplum/fhirtypes';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { decide, identityOf, type CallerIdentity } from './access.ts';
import { AuthError, isAuthError } from './errors.ts';
import { parseInteractions } from './scopes.ts';
import type { TokenVerifier } from './token-verifier.ts';

/** The caller's identity once requireAccess let the request through. */
export interface Access extends CallerIdentity {
  /**
   * The only patient this request may see, set by requireScope when just `patient/` scopes allow
   * it; undefined means every patient the scopes allow.
   */
  restrictedTo: string | undefined;
}

const LOCALS_KEY = 'oncoimgAccess';

/** The caller of this request; throws when requireAccess did not run before the handler. */
export function accessOf(res: Response): Access {
  const access = (res.locals as Record<string, unknown>)[LOCALS_KEY] as Access | undefined;
  if (!access) {
    throw new Error('accessOf: requireAccess did not run for this route');
  }
  return access;
}

/** Whether the caller may see `patientKey` (its patient context, or no restriction). */
export function canSeePatient(access: Access, patientKey: string): boolean {
  return access.restrictedTo === undefined || access.restrictedTo === patientKey;
}

/** An outcome that keeps medplum's id (so getStatus maps it) with our own explanation. */
export function outcomeWithText(base: OperationOutcome, text: string): OperationOutcome {
  const [issue = { severity: 'error', code: 'security' }] = base.issue;
  return { ...base, issue: [{ ...issue, details: { text } }] };
}

const quoted = (text: string) => `"${text.replace(/["\\]/g, '')}"`;

function answer(res: Response, status: number, outcome: OperationOutcome): void {
  res.status(status).type('application/fhir+json').send(JSON.stringify(outcome));
}

export interface RequireAccessOptions {
  verifier: TokenVerifier;
  /** The `realm` of `WWW-Authenticate`. */
  realm?: string;
  /** Requests that pass without a token (`/healthz`, `/fhir/metadata`, …). */
  isPublic?: (req: Request) => boolean;
  /**
   * Where the access token comes from when the request has no `Authorization` header: a sign-in
   * session (the page's cookie) supplies its token here. The header always wins.
   */
  tokenFrom?: (req: Request) => string | undefined;
}

const BEARER = /^Bearer[ ]+([^\s]+)\s*$/i;

/** The bearer token of the `Authorization` header, else the one `tokenFrom` supplies. */
function tokenOf(req: Request, tokenFrom: (req: Request) => string | undefined): string | undefined {
  const header = req.get('authorization');
  if (header !== undefined) {
    return BEARER.exec(header)?.[1];
  }
  return tokenFrom(req) || undefined;
}

/**
 * Requires a valid bearer token: none answers 401 with `WWW-Authenticate: Bearer realm=…`, a
 * refused one 401 with `error="invalid_token"`, an unreachable issuer 503; each with an
 * OperationOutcome. The reason goes to the caller (it describes their token, not patient data).
 */
export function requireAccess({
  verifier,
  realm = 'oncoimg',
  isPublic = () => false,
  tokenFrom = () => undefined,
}: RequireAccessOptions): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (isPublic(req)) {
      next();
      return;
    }
    const token = tokenOf(req, tokenFrom);
    if (token === undefined) {
      const error = new AuthError('MISSING_TOKEN', 'a bearer access token is required');
      res.set('WWW-Authenticate', `Bearer realm=${quoted(realm)}`);
      answer(res, 401, outcomeWithText(unauthorized, error.message));
      return;
    }
    verifier.verify(token).then(
      ({ claims }) => {
        const access: Access = { ...identityOf(claims), restrictedTo: undefined };
        (res.locals as Record<string, unknown>)[LOCALS_KEY] = access;
        next();
      },
      (error: unknown) => {
        if (isAuthError(error) && error.status === 503) {
          res.set('Retry-After', '5');
          answer(res, 503, {
            resourceType: 'OperationOutcome',
            issue: [{ severity: 'error', code: 'transient', details: { text: error.message } }],
          });
          return;
        }
        const text = isAuthError(error) ? error.message : 'the token is refused';
        res.set(
          'WWW-Authenticate',
          `Bearer realm=${quoted(realm)}, error="invalid_token", error_description=${quoted(text)}`,
        );
        answer(res, 401, outcomeWithText(unauthorized, text));
      },
    );
  };
}

/**
 * Whether the caller of this request may do `permissions` (`c`, `u`, `rs`, …) on `resourceType`:
 * the patient it is then restricted to (undefined: every patient), or an OperationOutcomeError
 * 403 naming the missing scope (with `WWW-Authenticate: Bearer error="insufficient_scope"` set).
 * For checks that depend on the request body (each entry of a Bundle).
 */
export function checkScope(
  res: Response,
  resourceType: string,
  permissions: string,
): { patient: string | undefined } {
  const interactions = parseInteractions(permissions);
  if (!interactions) {
    throw new Error(`checkScope: ${permissions} is not a SMART v2 permission string`);
  }
  const decision = decide(accessOf(res), resourceType, interactions);
  if (!decision.allowed) {
    res.set('WWW-Authenticate', `Bearer error="insufficient_scope", scope=${quoted(decision.missing)}`);
    throw new OperationOutcomeError(outcomeWithText(forbidden, `missing scope ${decision.missing}`));
  }
  return { patient: decision.patient };
}

/**
 * Requires the scopes for `permissions` (`c`, `u`, `rs`, …) on `resourceType`, after
 * requireAccess: 403 with an OperationOutcome naming the missing scope. When only `patient/`
 * scopes allow it, the request is restricted to the token's patient (see canSeePatient).
 */
export function requireScope(resourceType: string, permissions: string): RequestHandler {
  if (!parseInteractions(permissions)) {
    throw new Error(`requireScope: ${permissions} is not a SMART v2 permission string`);
  }
  return (_req: Request, res: Response, next: NextFunction) => {
    let patient: string | undefined;
    try {
      ({ patient } = checkScope(res, resourceType, permissions));
    } catch (error) {
      if (error instanceof OperationOutcomeError) {
        answer(res, 403, error.outcome);
        return;
      }
      throw error;
    }
    if (patient !== undefined) {
      accessOf(res).restrictedTo = patient;
    }
    next();
  };
}
