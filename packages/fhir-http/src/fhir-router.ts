import { allOk, created } from '@medplum/core';
import type { Bundle, CapabilityStatementRestSecurity, OperationOutcome, Resource } from '@medplum/fhirtypes';
import type { HistoryEntry, SearchCriteria, StoredResource, WriteResult } from '@oncoimg/store';
import express, { type Request, type Response, type Router } from 'express';
import { bundleAuditEntries, noteAudit, patientOfResource } from './audit-note.ts';
import { capabilityStatement } from './capability-statement.ts';
import { errorEdge, unknownRoute } from './error-edge.ts';
import { fhirBody } from './fhir-body.ts';
import { baseUrl, parseSearchQuery, requireIdOfUrl, requireType } from './fhir-request.ts';
import { historyBundle, searchsetBundle, setVersionHeaders } from './fhir-responses.ts';
import { DEFAULT_MAX_DEPTH, parseUntrustedJson } from './json-guard.ts';
import { sendFhir } from './outcomes.ts';
import { requestDeadlineOf, type RequestDeadline } from './request-deadline.ts';
import {
  belongsTo,
  ENTRY_PERMISSIONS,
  entryMethodsOf,
  notVisible,
  requireBundleOwnPatient,
  requireOwnPatient,
  requireStoredOwnPatient,
  type Authorize,
} from './router-access.ts';

/** Where a version of a resource lives: `{base}/{Type}/{id}/_history/{vid}`. */
export type Locator = (resource: Resource, versionId: string) => string;

/**
 * What the router asks of the service behind it: one resource type's reads and writes. Writes
 * receive the untrusted (but JSON-guarded) body and validate it themselves.
 */
export interface FhirBackend {
  resourceType: string;
  create(
    body: Record<string, unknown>,
    options: { ifNoneExist?: string } & WriteOptions,
  ): Promise<WriteResult>;
  update(body: Record<string, unknown>, options: { ifMatch?: string } & WriteOptions): Promise<WriteResult>;
  delete(id: string, options: { ifMatch?: string } & WriteOptions): Promise<WriteResult>;
  read(id: string): Promise<StoredResource>;
  vread(id: string, versionId: string): Promise<StoredResource>;
  history(id: string): Promise<HistoryEntry[]>;
  search(criteria: SearchCriteria): Promise<StoredResource[]>;
  /** `POST /fhir` with a batch or transaction Bundle. */
  bundle(
    body: Record<string, unknown>,
    location: Locator,
    options?: WriteOptions,
  ): Promise<[OperationOutcome, Bundle]>;
}

export interface WriteOptions {
  /** The request's time limit: a write must not start once the request was answered 503 for it. */
  deadline?: RequestDeadline;
}

export interface FhirRouterOptions {
  backend: FhirBackend;
  /** Largest request body accepted, in bytes (413 above). */
  bodyLimitBytes: number;
  maxDepth?: number;
  software: { name: string; version: string };
  /**
   * The access check of each request (SMART scopes and patient context); every request is allowed
   * when undefined, which only tests of the router itself do.
   */
  authorize?: Authorize;
  /** `rest.security` of `/metadata`: how to obtain a token (SMART oauth-uris). */
  security?: () => Promise<CapabilityStatementRestSecurity>;
}

/** The Locator of versions under the URL this request reached the router at. */
export function locatorOf(req: Request): Locator {
  const base = baseUrl(req);
  return (resource, versionId) =>
    `${base}/${resource.resourceType}/${resource.id ?? ''}/_history/${versionId}`;
}

/** Tells the audit trail whose data this answer holds and which version. */
function noteResource(res: Response, resource: Resource, versionId?: string): void {
  const what = `${resource.resourceType}/${resource.id ?? ''}`;
  noteAudit(res, {
    patient: patientOfResource(resource),
    what: versionId === undefined ? what : `${what}/_history/${versionId}`,
  });
}

/** The patient a write is for, before it is checked: a refused write is audited against them too. */
function noteWritten(res: Response, body: Record<string, unknown>): void {
  noteAudit(res, { patient: patientOfResource(body as unknown as Resource) });
}

function sendWrite(req: Request, res: Response, write: WriteResult): void {
  noteResource(res, write.resource, write.versionId);
  setVersionHeaders(res, write.resource, locatorOf(req)(write.resource, write.versionId));
  sendFhir(res, [write.action === 'created' ? created : allOk, write.resource]);
}

/**
 * The FHIR R4 REST API of one resource type, mounted at `/fhir`: create (conditional), update,
 * delete, read, vread, history, search, batch and transaction Bundles, and `/metadata`. Unknown
 * routes and errors answer OperationOutcomes (see errorEdge).
 */
export function createFhirRouter({
  backend,
  bodyLimitBytes,
  maxDepth = DEFAULT_MAX_DEPTH,
  software,
  authorize = () => ({ patient: undefined }),
  security,
}: FhirRouterOptions): Router {
  const { resourceType } = backend;
  const allowed = (res: Response, permissions: string) => authorize(res, resourceType, permissions).patient;
  const router = express.Router();
  const body = fhirBody(bodyLimitBytes);
  const parse = (req: Request) => parseUntrustedJson(req.body as Buffer, { maxDepth });
  const typed = (req: Request) => requireType(req.params.type, resourceType);

  router.get('/metadata', async (req, res) => {
    const statement = capabilityStatement(resourceType, software, baseUrl(req));
    const rest = statement.rest?.map((entry) => ({ ...entry }));
    if (security && rest?.[0]) {
      rest[0].security = await security();
    }
    sendFhir(res, [allOk, { ...statement, ...(rest ? { rest } : {}) }]);
  });
  router.post('/', body, async (req, res) => {
    const parsed = parse(req);
    noteAudit(res, { interaction: parsed.type === 'transaction' ? 'transaction' : 'batch' });
    // Every entry's method needs its scope; one patient-bound answer binds the whole Bundle.
    const patients = entryMethodsOf(parsed).map((method) => allowed(res, ENTRY_PERMISSIONS[method] ?? 'c'));
    const patient = patients.find((key) => key !== undefined);
    await requireBundleOwnPatient(parsed, patient, (id) => backend.read(id));
    const [outcome, answer] = await backend.bundle(parsed, locatorOf(req), {
      deadline: requestDeadlineOf(res),
    });
    noteAudit(res, { entries: bundleAuditEntries(parsed, answer) });
    sendFhir(res, [outcome, answer]);
  });
  router.post('/:type', body, async (req, res) => {
    typed(req);
    const patient = allowed(res, 'c');
    const parsed = parse(req);
    noteWritten(res, parsed);
    requireOwnPatient(parsed, patient);
    sendWrite(
      req,
      res,
      await backend.create(parsed, {
        ifNoneExist: req.get('if-none-exist'),
        deadline: requestDeadlineOf(res),
      }),
    );
  });
  router.put('/:type/:id', body, async (req, res) => {
    typed(req);
    const patient = allowed(res, 'cu');
    const parsed = parse(req);
    requireIdOfUrl(parsed, req.params.id, resourceType);
    noteWritten(res, parsed);
    requireOwnPatient(parsed, patient);
    const id = String(req.params.id);
    await requireStoredOwnPatient(() => backend.read(id), patient);
    sendWrite(
      req,
      res,
      await backend.update(parsed, { ifMatch: req.get('if-match'), deadline: requestDeadlineOf(res) }),
    );
  });
  router.delete('/:type/:id', async (req, res) => {
    typed(req);
    const patient = allowed(res, 'd');
    const { id } = req.params;
    await requireStoredOwnPatient(() => backend.read(id), patient);
    const write = await backend.delete(id, {
      ifMatch: req.get('if-match'),
      deadline: requestDeadlineOf(res),
    });
    noteResource(res, write.resource, write.versionId);
    res.setHeader('ETag', `W/"${write.versionId}"`);
    sendFhir(res, [allOk]);
  });
  router.get('/:type/:id/_history/:vid', async (req, res) => {
    typed(req);
    const patient = allowed(res, 'r');
    const resource = await backend.vread(req.params.id, req.params.vid);
    noteResource(res, resource, req.params.vid);
    requireOwnPatient(resource, patient);
    setVersionHeaders(res, resource);
    sendFhir(res, [allOk, resource]);
  });
  router.get('/:type/:id/_history', async (req, res) => {
    typed(req);
    const patient = allowed(res, 'r');
    const history = await backend.history(req.params.id);
    const own = history.some((entry) => entry.resource !== undefined && belongsTo(entry.resource, patient));
    if (patient !== undefined && !own) {
      throw notVisible();
    }
    sendFhir(res, [allOk, historyBundle(resourceType, req.params.id, history)]);
  });
  router.get('/:type/:id', async (req, res) => {
    typed(req);
    const patient = allowed(res, 'r');
    const resource = await backend.read(req.params.id);
    noteResource(res, resource, resource.meta.versionId);
    requireOwnPatient(resource, patient);
    setVersionHeaders(res, resource);
    sendFhir(res, [allOk, resource]);
  });
  router.get('/:type', async (req, res) => {
    typed(req);
    const patient = allowed(res, 's');
    const criteria = parseSearchQuery(req.query);
    // Under patient context the search is narrowed to the patient, and any hit of another dropped.
    const results = (await backend.search({ ...criteria, patient: criteria.patient ?? patient })).filter(
      (resource) => belongsTo(resource, patient),
    );
    const base = baseUrl(req);
    sendFhir(res, [allOk, searchsetBundle(base, `${base}${req.url}`, resourceType, results)]);
  });
  router.use(unknownRoute());
  router.use(errorEdge());
  return router;
}
