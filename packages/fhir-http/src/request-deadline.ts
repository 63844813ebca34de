import type { Response } from 'express';

/**
 * The time limit of one request, as the work behind it sees it. A request answered 503 because it
 * ran out of time must leave nothing behind: a client told "not stored" retries, and a write that
 * went on to commit anyway would be stored twice. So the work checks the deadline at its point of
 * no return (the commit), and the time limit waits for a commit already under way rather than
 * answer 503 over it.
 */
export interface RequestDeadline {
  /** Aborted once the request has been answered 503 for running out of time. */
  readonly signal: AbortSignal;
  /**
   * Called before work that cannot be undone once started. Null when the request has already been
   * answered 503 (do not start it); else the release to call when that work has ended, and until
   * then the time limit lets the request answer with the work's real outcome.
   */
  hold(): (() => void) | null;
}

/** Thrown instead of starting work for a request that was already answered 503 for its time limit. */
export class RequestTimedOutError extends Error {
  readonly retryable = true;
  constructor() {
    super('the request ran out of time before its write started; nothing was written');
    this.name = 'RequestTimedOutError';
  }
}

export function isRequestTimedOutError(error: unknown): error is RequestTimedOutError {
  return error instanceof RequestTimedOutError;
}

/**
 * Holds the deadline around `work`: throws RequestTimedOutError without starting it when the
 * request already timed out. Without a deadline (a test, a CLI), the work just runs.
 */
export async function beforeDeadline<T>(
  deadline: RequestDeadline | undefined,
  work: () => Promise<T>,
): Promise<T> {
  const release = deadline ? deadline.hold() : () => undefined;
  if (!release) {
    throw new RequestTimedOutError();
  }
  try {
    return await work();
  } finally {
    release();
  }
}

const DEADLINE_KEY = 'oncoimgRequestDeadline';

/** Used by the runtime's admission control, which owns the time limit. */
export function setRequestDeadline(res: Response, deadline: RequestDeadline): void {
  (res.locals as Record<string, unknown>)[DEADLINE_KEY] = deadline;
}

/** This request's deadline; undefined when no admission control runs (tests of a router alone). */
export function requestDeadlineOf(res: Response): RequestDeadline | undefined {
  return (res.locals as Record<string, unknown>)[DEADLINE_KEY] as RequestDeadline | undefined;
}
