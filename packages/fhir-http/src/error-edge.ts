import type { ErrorRequestHandler, RequestHandler } from 'express';
import { FHIR_JSON, outcomeOfError, outcomeWithStatus, sendFhir } from './outcomes.ts';
import { isRequestTimedOutError } from './request-deadline.ts';

/** The path is not echoed: it may carry a patient key. */
export const UNKNOWN_ROUTE = outcomeWithStatus(404, 'not-found', 'no such route');

/**
 * The last handler of a router or app: any route not matched above answers a JSON 404 (an
 * OperationOutcome) instead of Express's HTML page. `contentType` is FHIR's under `/fhir`.
 */
export function unknownRoute(contentType: string = FHIR_JSON): RequestHandler {
  return (_req, res) => {
    sendFhir(res, [UNKNOWN_ROUTE], contentType);
  };
}

/**
 * The one HTTP error edge: an OperationOutcome with the status `outcomeOfError` gives (503 with
 * Retry-After when the database or Kafka is unavailable, 500 without internals for a defect).
 */
export function errorEdge(contentType: string = FHIR_JSON): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      // The time limit already answered 503, and the write it stopped has nothing more to say.
      if (!isRequestTimedOutError(error)) {
        next(error);
      }
      return;
    }
    sendFhir(res, [outcomeOfError(error)], contentType);
  };
}
