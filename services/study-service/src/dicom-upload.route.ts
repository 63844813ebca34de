import { allOk, created, OperationOutcomeError } from '@medplum/core';
import type { Bundle, ImagingStudy, OperationOutcome } from '@medplum/fhirtypes';
import { accessOf, requireScope } from '@oncoimg/auth';
import {
  noteAudit,
  outcomeOfError,
  outcomeOfUnreadableBody,
  outcomeWithStatus,
  patientOfResource,
  requireOwnPatient,
  sendFhir,
  beforeDeadline,
  isRequestTimedOutError,
  requestDeadlineOf,
} from '@oncoimg/fhir-http';
import { validateIntake, type IntakeExtensionDeps } from '@oncoimg/intake';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import {
  groupByStudy,
  httpStatusOfDicomError,
  isDicomError,
  mergeIntoImagingStudy,
  readDicomHeader,
  splitMultipartRelated,
  type DicomInstanceHeader,
} from './dicom/index.ts';
import { imagingStudyIntakeRules } from './imaging-study.intake-rules.ts';

/** A multipart upload of a whole series fits; larger studies are sent in several requests. */
export const DICOM_UPLOAD_LIMIT_BYTES = 512 * 1_048_576;

function dicomFiles(req: Request): Buffer[] {
  const type = (req.get('content-type') ?? '').toLowerCase();
  const body = req.body as Buffer;
  if (type.startsWith('application/dicom')) {
    return [body];
  }
  if (type.startsWith('multipart/related')) {
    return splitMultipartRelated(body, req.get('content-type') ?? '');
  }
  throw new OperationOutcomeError(
    outcomeWithStatus(
      415,
      'not-supported',
      'send application/dicom, or multipart/related; type="application/dicom"',
      'Content-Type',
    ),
  );
}

function readAll(files: readonly Buffer[]): DicomInstanceHeader[] {
  return files.map((file, index) => {
    try {
      return readDicomHeader(file);
    } catch (error) {
      if (isDicomError(error)) {
        throw new OperationOutcomeError(
          outcomeWithStatus(
            httpStatusOfDicomError(error.code),
            'invalid',
            `part ${String(index + 1)}: ${error.message}`,
            `part[${String(index)}]`,
          ),
        );
      }
      throw error;
    }
  });
}

/**
 * `POST /dicom/studies`: one DICOM Part-10 file or a multipart/related upload. Only headers are
 * read. Instances are grouped by Study Instance UID and merged into the existing ImagingStudy of
 * that UID (or a new one), then stored and published exactly like a FHIR create or update.
 */
export function addDicomUpload(app: Express, { db, writer, repository }: IntakeExtensionDeps): void {
  const raw = express.raw({ type: () => true, limit: DICOM_UPLOAD_LIMIT_BYTES });
  const readUpload = (req: Request, res: Response, next: NextFunction): void => {
    // express.raw is typed for node's IncomingMessage; express's Request extends it.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
    raw(req, res, (error?: unknown) => {
      if (error) {
        sendFhir(res, [outcomeOfUnreadableBody(error, DICOM_UPLOAD_LIMIT_BYTES)]);
        return;
      }
      next();
    });
  };
  // The scope is checked before a byte of the (large) body is read.
  app.post('/dicom/studies', requireScope('ImagingStudy', 'cu'), readUpload, async (req, res) => {
    const patient = accessOf(res).restrictedTo;
    const instances = readAll(dicomFiles(req));
    const studies = groupByStudy(instances);
    // A request answered 503 for its time limit must not go on to store its studies.
    const results = await beforeDeadline(requestDeadlineOf(res), () =>
      db.transaction(async (tx) => {
        const written = [];
        for (const [studyUid, studyInstances] of studies) {
          const matches = await repository.findByIdentifier<ImagingStudy>(
            tx,
            'ImagingStudy',
            `urn:dicom:uid|urn:oid:${studyUid}`,
          );
          const existing = matches.at(0);
          if (existing) {
            requireOwnPatient(existing, patient);
          }
          const merged = validateIntake(
            mergeIntoImagingStudy(existing, studyInstances) as unknown as Record<string, unknown>,
            'ImagingStudy',
            imagingStudyIntakeRules,
          );
          requireOwnPatient(merged, patient);
          written.push(existing ? await writer.update(tx, merged) : await writer.create(tx, merged));
        }
        return written;
      }),
    );
    const anyCreated = results.some((r) => r.action === 'created');
    noteAudit(res, {
      entries: results.map((r) => ({
        interaction: r.action === 'created' ? 'create' : 'update',
        status: r.action === 'created' ? 201 : 200,
        patient: patientOfResource(r.resource),
        what: `ImagingStudy/${r.resource.id}/_history/${r.versionId}`,
      })),
    });
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'batch-response',
      entry: results.map((r) => ({
        resource: r.resource,
        response: {
          status: r.action === 'created' ? '201 Created' : '200 OK',
          etag: `W/"${r.versionId}"`,
          location: `ImagingStudy/${r.resource.id}/_history/${r.versionId}`,
        },
      })),
    };
    sendFhir(res, [anyCreated ? created : allOk, bundle]);
  });
  app.use('/dicom', (error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      if (!isRequestTimedOutError(error)) {
        next(error);
      }
      return;
    }
    sendFhir(res, [outcomeOfDicomUploadError(error)]);
  });
}

function outcomeOfDicomUploadError(error: unknown): OperationOutcome {
  // Multipart framing and study grouping fail with DicomErrors too; they are the sender's fault.
  if (isDicomError(error)) {
    return outcomeWithStatus(httpStatusOfDicomError(error.code), 'invalid', error.message);
  }
  return outcomeOfError(error);
}
