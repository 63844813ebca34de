import { randomUUID } from 'node:crypto';
import { accessOf, type Access } from '@oncoimg/auth';
import { buildAuditEvent } from '@oncoimg/fhir-events';
import { auditNoteOf, onRecordAuditNow } from '@oncoimg/fhir-http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AuditRecorder } from './audit-recorder.ts';
import { auditInputsOf } from './audit-request.ts';

export interface AuditTrailOptions {
  recorder: AuditRecorder;
  /** The service, as `AuditEvent.source.observer`: `oncoimg/order-service`. */
  observer: string;
  /** Which requests are audited; by default every API request (see isAuditedPath). */
  isAudited?: (req: Request) => boolean;
}

const UNAUDITED = new Set(['/fhir/metadata', '/api', '/api/']);

/**
 * The requests that touch patient data or were refused access to it: the FHIR API, the timeline
 * API and DICOM upload. Not the capability statement, SMART discovery, the API index or probes.
 */
export function isAuditedPath(path: string): boolean {
  if (UNAUDITED.has(path) || path.startsWith('/fhir/.well-known/')) {
    return false;
  }
  return /^\/(?:fhir|api|dicom)(?:\/|$)/.test(path);
}

function callerOf(res: Response): Access | undefined {
  try {
    return accessOf(res);
  } catch {
    // No valid token: the request was refused before anyone was known.
    return undefined;
  }
}

/**
 * Records an AuditEvent (see buildAuditEvent) for every audited request once its answer is sent,
 * refused ones included: the caller from the access check (none without a valid token), what the
 * route noted (noteAudit), the outcome of the status. Long-lived answers record when the route
 * calls recordAuditNow. Nothing here is logged: the records hold patient keys.
 */
export function auditTrail({
  recorder,
  observer,
  isAudited = (req) => isAuditedPath(req.path),
}: AuditTrailOptions): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!isAudited(req)) {
      next();
      return;
    }
    const recorded = new Date();
    const { method, originalUrl: url } = req;
    const address = req.socket.remoteAddress;
    let done = false;
    const record = (): void => {
      if (done) {
        return;
      }
      done = true;
      const access = callerOf(res);
      const inputs = auditInputsOf(
        {
          method,
          url,
          status: res.statusCode,
          wwwAuthenticate: res.getHeader('www-authenticate')?.toString(),
          address,
          caller: access && {
            subject: access.subject,
            clientId: access.clientId,
            fhirUser: access.fhirUser,
            patient: access.restrictedTo ?? access.patient,
          },
          note: auditNoteOf(res),
        },
        { observer, recorded, newId: randomUUID },
      );
      for (const input of inputs) {
        recorder.record(buildAuditEvent(input));
      }
    };
    onRecordAuditNow(res, record);
    res.once('finish', record);
    res.once('close', record);
    next();
  };
}
