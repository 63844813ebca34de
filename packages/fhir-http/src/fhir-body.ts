import express, { type NextFunction, type Request, type Response } from 'express';
import { outcomeOfUnreadableBody, outcomeWithStatus, sendFhir } from './outcomes.ts';

/** 1 MiB: a large DiagnosticReport with its narrative, or a 100-entry batch, fits many times. */
export const DEFAULT_BODY_LIMIT_BYTES = 1_048_576;

const ACCEPTED_CONTENT_TYPES = new Set(['application/fhir+json', 'application/json']);

/** The media type of a Content-Type header, lower case, without parameters ('' when absent). */
export function mediaTypeOf(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Express's raw body reader for FHIR JSON, turning its errors into OperationOutcomes (415, 413, 400). */
export function fhirBody(limit: number) {
  const read = express.raw({ type: () => true, limit });
  return (req: Request, res: Response, next: NextFunction) => {
    const type = mediaTypeOf(req.get('content-type'));
    if (!ACCEPTED_CONTENT_TYPES.has(type)) {
      sendFhir(res, [
        outcomeWithStatus(
          415,
          'not-supported',
          `Content-Type must be application/fhir+json, not ${JSON.stringify(type || 'none')}`,
          'Content-Type',
        ),
      ]);
      return;
    }
    // express.raw is typed for node's IncomingMessage; express's Request extends it.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
    read(req, res, (error?: unknown) => {
      if (error) {
        sendFhir(res, [outcomeOfUnreadableBody(error, limit)]);
        return;
      }
      next();
    });
  };
}
