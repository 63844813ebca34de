/**
 * The topics, readable by any caller with a valid token: `GET /fhir/SubscriptionTopic[/{id}]` and,
 * as the Backport IG publishes topics to R4 clients, `GET /fhir/Basic[/{id}]` (search
 * `code=SubscriptionTopic`, `url`). Both answer the Basic-wrapped topics.
 */
import { allOk, notFound, OperationOutcomeError } from '@medplum/core';
import { baseUrl, searchsetBundle, sendFhir } from '@oncoimg/fhir-http';
import type { Request, Response, Router } from 'express';
import { basicTopic, SUBSCRIPTION_TOPICS, topicById } from '../domain/topics.ts';

function search(req: Request, res: Response): void {
  const { url, code } = req.query;
  const codeMatches =
    code === undefined || (typeof code === 'string' && code.split('|').at(-1) === 'SubscriptionTopic');
  const topics = SUBSCRIPTION_TOPICS.filter(
    (topic) => codeMatches && (url === undefined || topic.url === url),
  );
  const base = baseUrl(req);
  // The entries live at /Basic/{id} whichever path listed them.
  sendFhir(res, [allOk, searchsetBundle(base, `${base}${req.url}`, 'Basic', topics.map(basicTopic))]);
}

function read(req: Request, res: Response): void {
  const topic = topicById(String(req.params.id));
  if (!topic) {
    throw new OperationOutcomeError(notFound);
  }
  sendFhir(res, [allOk, basicTopic(topic)]);
}

export function mountTopicRoutes(router: Router): void {
  router.get('/SubscriptionTopic', search);
  router.get('/Basic', search);
  router.get('/SubscriptionTopic/:id', read);
  router.get('/Basic/:id', read);
}
