/**
 * `/fhir` of the subscription service: Subscription CRUD with the Backport profile, `$status`,
 * `$events`, and the topics (`/fhir/SubscriptionTopic`, or as R4 Basic resources).
 *
 * Access: creating or updating needs `Subscription.cu`, deleting `.d`, reading, searching and the
 * operations `.rs`. A client sees only the Subscriptions it created: their notifications carry
 * what its own scopes allow, which another client's scopes might not.
 */
import { randomUUID } from 'node:crypto';
import { allOk, badRequest, created, notFound, OperationOutcomeError } from '@medplum/core';
import type { Resource, Subscription } from '@medplum/fhirtypes';
import { accessOf, checkScope } from '@oncoimg/auth';
import { validateR4 } from '@oncoimg/fhir-events';
import {
  baseUrl,
  errorEdge,
  fhirBody,
  parseUntrustedJson,
  requireIdOfUrl,
  searchsetBundle,
  sendFhir,
  setVersionHeaders,
  unknownRoute,
} from '@oncoimg/fhir-http';
import type { Database } from '@oncoimg/store';
import express, { type Request, type Response, type Router } from 'express';
import type { AllowRule } from '../domain/endpoint-allow-list.ts';
import { parseSubscription } from '../domain/subscription-spec.ts';
import { buildNotification, buildStatus, type NotificationUrls } from '../delivery/notifications.ts';
import { readEvents } from '../store/delivery.repository.ts';
import {
  deleteSubscription,
  getSubscription,
  insertSubscription,
  listSubscriptions,
  subscriptionResource,
  updateSubscription,
  type StoredSubscription,
  type SubscriptionWrite,
} from '../store/subscription.repository.ts';
import { capabilityStatementOf } from './capability.ts';
import { mountTopicRoutes } from './topic-routes.ts';

export interface SubscriptionApiOptions {
  db: Database;
  allowList: readonly AllowRule[];
  /** Where the focus resources live (the `fullUrl` of notification entries). */
  resourceBase: NotificationUrls['resourceBase'];
  bodyLimitBytes?: number;
  /** New or re-activated subscriptions have a handshake due: the deliverer looks now. */
  onChange: () => void;
  security?: Parameters<typeof capabilityStatementOf>[1];
}

/** Largest `$events` page: the most a subscriber may fetch at once. */
const MAX_EVENTS_PAGE = 1_000;

function id404(): OperationOutcomeError {
  return new OperationOutcomeError(notFound);
}

function parseNumber(value: unknown, name: string): number | undefined {
  if (value === undefined || value === '') {
    return undefined;
  }
  const number = Number(value);
  if (typeof value !== 'string' || !Number.isSafeInteger(number) || number < 0) {
    throw new OperationOutcomeError(badRequest(`${name} must be a whole number ≥ 0`, name));
  }
  return number;
}

export function createSubscriptionApi(options: SubscriptionApiOptions): Router {
  const { db, allowList, resourceBase, bodyLimitBytes = 262_144, onChange } = options;
  const router = express.Router();
  const body = fhirBody(bodyLimitBytes);
  const urls = (req: Request): NotificationUrls => ({ serverBase: baseUrl(req), resourceBase });

  /** The caller's own subscription, or 404 (another client's is not disclosed). */
  async function owned(req: Request, res: Response, permissions: string): Promise<StoredSubscription> {
    checkScope(res, 'Subscription', permissions);
    const stored = await getSubscription(db, String(req.params.id));
    if (!stored || stored.ownerClient !== (accessOf(res).clientId ?? null)) {
      throw id404();
    }
    return stored;
  }

  function writeOf(req: Request, res: Response, id: string): SubscriptionWrite {
    checkScope(res, 'Subscription', 'cu');
    const body = parseUntrustedJson(req.body as Buffer);
    if (body.resourceType !== 'Subscription') {
      throw new OperationOutcomeError(badRequest('resourceType must be Subscription', 'Subscription'));
    }
    const parsed = body as unknown as Subscription;
    const issues = validateR4(parsed);
    if (issues.length > 0) {
      throw new OperationOutcomeError({ resourceType: 'OperationOutcome', issue: issues });
    }
    const spec = parseSubscription(parsed, allowList);
    const access = accessOf(res);
    return {
      id,
      resource: { ...parsed, id },
      spec,
      ownerClient: access.clientId ?? null,
      grant: { scopes: access.scopes, patient: access.patient },
    };
  }

  function answer(res: Response, stored: StoredSubscription, outcome = allOk): void {
    const resource: Resource = subscriptionResource(stored);
    setVersionHeaders(res, resource);
    sendFhir(res, [outcome, resource]);
  }

  router.get('/metadata', async (req, res) => {
    sendFhir(res, [allOk, await capabilityStatementOf(baseUrl(req), options.security)]);
  });
  mountTopicRoutes(router);

  router.post('/Subscription', body, async (req, res) => {
    const stored = await insertSubscription(db, writeOf(req, res, randomUUID()));
    onChange();
    res.setHeader('Location', `${baseUrl(req)}/Subscription/${stored.id}/_history/${String(stored.version)}`);
    answer(res, stored, created);
  });

  router.put('/Subscription/:id', body, async (req, res) => {
    const write = writeOf(req, res, String(req.params.id));
    requireIdOfUrl(write.resource as unknown as Record<string, unknown>, req.params.id, 'Subscription');
    await owned(req, res, 'cu');
    const stored = await updateSubscription(db, write);
    if (!stored) {
      throw id404();
    }
    onChange();
    answer(res, stored);
  });

  router.get('/Subscription/:id', async (req, res) => {
    answer(res, await owned(req, res, 'rs'));
  });

  router.delete('/Subscription/:id', async (req, res) => {
    const stored = await owned(req, res, 'd');
    await deleteSubscription(db, stored.id);
    sendFhir(res, [allOk]);
  });

  router.get('/Subscription', async (req, res) => {
    checkScope(res, 'Subscription', 'rs');
    const { criteria, status } = req.query;
    const found = await listSubscriptions(db, {
      ownerClient: accessOf(res).clientId ?? null,
      ...(typeof criteria === 'string' ? { topicUrl: criteria } : {}),
      ...(typeof status === 'string' ? { status } : {}),
    });
    const base = baseUrl(req);
    sendFhir(res, [
      allOk,
      searchsetBundle(base, `${base}${req.url}`, 'Subscription', found.map(subscriptionResource)),
    ]);
  });

  router.get('/Subscription/:id/\\$status', async (req, res) => {
    const stored = await owned(req, res, 'rs');
    sendFhir(res, [allOk, buildStatus({ subscription: stored, urls: urls(req) })]);
  });

  /** `$events`: replays numbered events (`eventsSinceNumber` to `eventsUntilNumber`, inclusive). */
  router.get('/Subscription/:id/\\$events', async (req, res) => {
    const stored = await owned(req, res, 'rs');
    const since = parseNumber(req.query.eventsSinceNumber, 'eventsSinceNumber') ?? 1;
    const until = parseNumber(req.query.eventsUntilNumber, 'eventsUntilNumber');
    const content = req.query.content;
    if (
      content !== undefined &&
      (typeof content !== 'string' || !['empty', 'id-only', 'full-resource'].includes(content))
    ) {
      throw new OperationOutcomeError(
        badRequest('content must be empty, id-only or full-resource', 'content'),
      );
    }
    const events = await readEvents(db, stored.id, {
      after: Math.max(0, since - 1),
      ...(until === undefined ? {} : { through: until }),
      limit: MAX_EVENTS_PAGE,
    });
    const subscription =
      content === undefined ? stored : { ...stored, payload: content as StoredSubscription['payload'] };
    sendFhir(res, [allOk, buildNotification({ subscription, type: 'query-event', events, urls: urls(req) })]);
  });

  router.use(unknownRoute());
  router.use(errorEdge());
  return router;
}
