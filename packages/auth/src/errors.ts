/**
 * Why a bearer token was refused. Codes are strings so they survive logs and process boundaries;
 * `retriable` is true only when the issuer could not be reached (the token may be fine): that maps
 * to 503, every other code to 401.
 */
export const AUTH_ERROR_CODES = [
  'MISSING_TOKEN',
  'MALFORMED_TOKEN',
  'EXPIRED',
  'NOT_YET_VALID',
  'WRONG_ISSUER',
  'WRONG_AUDIENCE',
  'INVALID_CLAIMS',
  'BAD_SIGNATURE',
  'UNSUPPORTED_ALG',
  'UNKNOWN_KEY',
  'ISSUER_UNREACHABLE',
] as const;

export type AuthErrorCode = (typeof AUTH_ERROR_CODES)[number];

export class AuthError extends Error {
  readonly code: AuthErrorCode;
  readonly retriable: boolean;

  constructor(code: AuthErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'AuthError';
    this.code = code;
    this.retriable = code === 'ISSUER_UNREACHABLE';
  }

  /** 503 when the issuer is unreachable (try again), 401 for a token that will never be accepted. */
  get status(): 401 | 503 {
    return this.retriable ? 503 : 401;
  }
}

export function isAuthError(error: unknown): error is AuthError {
  return error instanceof AuthError;
}
