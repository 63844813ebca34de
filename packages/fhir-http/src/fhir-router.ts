import { allOk, created, OperationOutcomeError } from '@medplum/core';
import type { Bundle, CapabilityStatement, Resource } from '@medplum/fhirtypes';
import type { ImagingResourceType } from '@oncoimg/fhir-events';
import {
  DEFAULT_SEARCH_COUNT,
  MAX_SEARCH_COUNT,
  type Database,
  type ResourceRepository,
} from '@oncoimg/store';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { processBundle } from './bundle.ts';
import { validateIntake } from './intake-rules.ts';
import { DEFAULT_MAX_DEPTH, parseUntrustedJson } from './json-guard.ts';
import { outcomeOfError, outcomeOfUnreadableBody, outcomeWithStatus, sendFhir } from './outcomes.ts';
import type { ResourceWriter, WriteOutcome } from './resource-writer.ts';

export interface FhirRouterOptions {
  db: Database;
  repository: ResourceRepository;
  writer: ResourceWriter;
  resourceType: ImagingResourceType;
  /** Largest request body accepted, in bytes (413 above). */
  bodyLimitBytes: number;
  maxDepth?: number;
  software: { name: string; version: string };
}

/** 1 MiB: a large DiagnosticReport with its narrative, or a 100-entry batch, fits many times. */
export const DEFAULT_BODY_LIMIT_BYTES = 1_048_576;

const ACCEPTED_CONTENT_TYPES = new Set(['application/fhir+json', 'application/json']);

function baseUrl(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}${req.baseUrl}`;
}

/** The CapabilityStatement of one intake service: exactly the interactions this router implements. */
export function capabilityStatement(
  resourceType: ImagingResourceType,
  software: { name: string; version: string },
  url: string,
): CapabilityStatement {
  const searchParams = [
    { name: 'identifier', type: 'token' as const, documentation: 'system|value, or value alone' },
    {
      name: 'patient',
      type: 'reference' as const,
      documentation: 'patient key (system|value), Patient/{id} or id',
    },
    { name: 'subject', type: 'reference' as const, documentation: 'same as patient' },
    {
      name: '_count',
      type: 'number' as const,
      documentation: `page size, at most ${String(MAX_SEARCH_COUNT)}`,
    },
  ];
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    software,
    implementation: {
      description: `${software.name}: FHIR R4 intake of ${resourceType}, published to Kafka`,
      url,
    },
    rest: [
      {
        mode: 'server',
        resource: [
          {
            type: resourceType,
            versioning: 'versioned',
            readHistory: true,
            updateCreate: true,
            conditionalCreate: true,
            conditionalUpdate: false,
            conditionalDelete: 'not-supported',
            interaction: [
              'read',
              'vread',
              'update',
              'delete',
              'history-instance',
              'create',
              'search-type',
            ].map((code) => ({
              code: code as 'read',
            })),
            searchParam: searchParams,
          },
        ],
        interaction: [{ code: 'batch' }, { code: 'transaction' }],
      },
    ],
  };
}

/** Express's raw body reader, turning its errors into OperationOutcomes (413, 400). */
function rawBody(limit: number) {
  const read = express.raw({ type: () => true, limit });
  return (req: Request, res: Response, next: NextFunction) => {
    const type = (req.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
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

function setVersionHeaders(res: Response, resource: Resource, location?: string): void {
  if (resource.meta?.versionId) res.setHeader('ETag', `W/"${resource.meta.versionId}"`);
  if (resource.meta?.lastUpdated)
    res.setHeader('Last-Modified', new Date(resource.meta.lastUpdated).toUTCString());
  if (location) res.setHeader('Location', location);
}

/**
 * The FHIR R4 REST API of one intake service, mounted at `/fhir`: create (conditional), update,
 * delete, read, vread, history, search by identifier and patient, batch and transaction Bundles,
 * and `/metadata`. Every write stores and publishes in one transaction (see ResourceWriter).
 */
export function createFhirRouter({
  db,
  repository,
  writer,
  resourceType,
  bodyLimitBytes,
  maxDepth = DEFAULT_MAX_DEPTH,
  software,
}: FhirRouterOptions): Router {
  const router = express.Router();
  const body = rawBody(bodyLimitBytes);
  const parse = (req: Request) => parseUntrustedJson(req.body as Buffer, { maxDepth });
  const locationOf = (req: Request) => (resource: Resource, versionId: string) =>
    `${baseUrl(req)}/${resource.resourceType}/${resource.id ?? ''}/_history/${versionId}`;

  function checkType(req: Request): void {
    if (req.params.type !== resourceType) {
      throw new OperationOutcomeError(
        outcomeWithStatus(
          404,
          'not-supported',
          `this service serves ${resourceType} only, not ${String(req.params.type)}`,
        ),
      );
    }
  }

  function sendWrite(req: Request, res: Response, write: WriteOutcome, createdNew: boolean): void {
    setVersionHeaders(res, write.resource, locationOf(req)(write.resource, write.versionId));
    sendFhir(res, [createdNew ? created : allOk, write.resource]);
  }

  router.get('/metadata', (req, res) => {
    sendFhir(res, [allOk, capabilityStatement(resourceType, software, baseUrl(req))]);
  });

  router.post('/', body, async (req, res) => {
    const [outcome, bundle] = await processBundle(parse(req), {
      db,
      writer,
      resourceType,
      location: locationOf(req),
    });
    sendFhir(res, [outcome, bundle]);
  });

  router.post('/:type', body, async (req, res) => {
    checkType(req);
    const resource = validateIntake(parse(req), resourceType);
    const ifNoneExist = req.get('if-none-exist');
    const write = await db.transaction((tx) => writer.create(tx, resource, { ifNoneExist }));
    sendWrite(req, res, write, write.action === 'created');
  });

  router.put('/:type/:id', body, async (req, res) => {
    checkType(req);
    const parsed = parse(req);
    if (parsed.id !== req.params.id) {
      throw new OperationOutcomeError(
        outcomeWithStatus(400, 'invalid', 'resource id must equal the id in the URL', `${resourceType}.id`),
      );
    }
    const resource = validateIntake(parsed, resourceType);
    const ifMatch = req.get('if-match');
    const write = await db.transaction((tx) => writer.update(tx, resource, { ifMatch }));
    sendWrite(req, res, write, write.action === 'created');
  });

  router.delete('/:type/:id', async (req, res) => {
    checkType(req);
    const ifMatch = req.get('if-match');
    const write = await db.transaction((tx) => writer.delete(tx, req.params.id, { ifMatch }));
    res.setHeader('ETag', `W/"${write.versionId}"`);
    sendFhir(res, [allOk]);
  });

  router.get('/:type/:id/_history/:vid', async (req, res) => {
    checkType(req);
    const resource = await repository.vread(resourceType, req.params.id, req.params.vid);
    setVersionHeaders(res, resource);
    sendFhir(res, [allOk, resource]);
  });

  router.get('/:type/:id/_history', async (req, res) => {
    checkType(req);
    const history = await repository.history(resourceType, req.params.id);
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'history',
      total: history.length,
      entry: history.map((entry) => ({
        ...(entry.resource ? { resource: entry.resource } : {}),
        request: {
          method: entry.deleted ? 'DELETE' : entry.versionId === '1' ? 'POST' : 'PUT',
          url: `${resourceType}/${req.params.id}`,
        },
        response: {
          status: entry.deleted ? '204' : entry.versionId === '1' ? '201' : '200',
          etag: `W/"${entry.versionId}"`,
          lastModified: entry.lastUpdated,
        },
      })),
    };
    sendFhir(res, [allOk, bundle]);
  });

  router.get('/:type/:id', async (req, res) => {
    checkType(req);
    const resource = await repository.read(resourceType, req.params.id);
    setVersionHeaders(res, resource);
    sendFhir(res, [allOk, resource]);
  });

  router.get('/:type', async (req, res) => {
    checkType(req);
    const known = new Set(['identifier', 'patient', 'subject', '_count']);
    const unknown = Object.keys(req.query).filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new OperationOutcomeError(
        outcomeWithStatus(
          400,
          'not-supported',
          `unsupported search parameter ${unknown.join(', ')}`,
          unknown[0],
        ),
      );
    }
    const text = (name: string) => (typeof req.query[name] === 'string' ? req.query[name] : undefined);
    const count = text('_count') === undefined ? DEFAULT_SEARCH_COUNT : Number(text('_count'));
    if (!Number.isInteger(count) || count < 1 || count > MAX_SEARCH_COUNT) {
      throw new OperationOutcomeError(
        outcomeWithStatus(400, 'invalid', `_count must be 1 to ${String(MAX_SEARCH_COUNT)}`, '_count'),
      );
    }
    const results = await repository.search(resourceType, {
      identifier: text('identifier'),
      patient: text('patient') ?? text('subject'),
      _count: count,
    });
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      total: results.length,
      link: [{ relation: 'self', url: `${baseUrl(req)}${req.url}` }],
      entry: results.map((resource) => ({
        fullUrl: `${baseUrl(req)}/${resourceType}/${resource.id}`,
        resource,
        search: { mode: 'match' },
      })),
    };
    sendFhir(res, [allOk, bundle]);
  });

  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    sendFhir(res, [outcomeOfError(error)]);
  });

  return router;
}
