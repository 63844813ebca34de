import { allOk } from '@medplum/core';
import type { AuditEvent, Bundle, BundleLink } from '@medplum/fhirtypes';
import { accessOf, requireScope } from '@oncoimg/auth';
import { baseUrl, errorEdge, sendFhir } from '@oncoimg/fhir-http';
import express, { type Router } from 'express';
import type { AuditEventStore } from '../store/audit-event.repository.ts';
import { parseAuditSearch, type AuditSearch } from './audit-search.ts';

/** The URL of a page of this search: the client's parameters with another `_offset`. */
function pageUrl(base: string, url: string, search: AuditSearch, offset: number): string {
  const params = new URLSearchParams(url.split('?').at(1) ?? '');
  params.set('_count', String(search.count));
  params.set('_offset', String(offset));
  return `${base}/AuditEvent?${params.toString()}`;
}

export function auditSearchsetBundle(
  base: string,
  url: string,
  search: AuditSearch,
  { total, events }: { total: number; events: readonly AuditEvent[] },
): Bundle<AuditEvent> {
  const link: BundleLink[] = [{ relation: 'self', url: `${base}${url}` }];
  if (search.offset + events.length < total) {
    link.push({ relation: 'next', url: pageUrl(base, url, search, search.offset + search.count) });
  }
  if (search.offset > 0) {
    link.push({
      relation: 'previous',
      url: pageUrl(base, url, search, Math.max(0, search.offset - search.count)),
    });
  }
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total,
    link,
    entry: events.map((resource) => ({
      fullUrl: `${base}/AuditEvent/${resource.id ?? ''}`,
      resource,
      search: { mode: 'match' },
    })),
  };
}

/**
 * `GET /fhir/AuditEvent?patient=&date=&_count=&_offset=`: the audit trail, newest first, as a
 * searchset Bundle with paging links. Needs `*\/AuditEvent.rs`; a patient-context token sees only
 * its patient's events (another patient's search is simply empty).
 */
export function createAuditEventApi({ store }: { store: AuditEventStore }): Router {
  const router = express.Router();
  router.get('/AuditEvent', requireScope('AuditEvent', 'rs'), async (req, res) => {
    const search = parseAuditSearch(req.query);
    const only = accessOf(res).restrictedTo;
    const elsewhere = only !== undefined && search.patient !== undefined && search.patient !== only;
    const found = elsewhere
      ? { total: 0, events: [] }
      : await store.search({ ...search, patient: only ?? search.patient });
    sendFhir(res, [allOk, auditSearchsetBundle(baseUrl(req), req.url, search, found)]);
  });
  // Errors only: other /fhir routes of the service (metadata, discovery) are mounted beside this one.
  router.use(errorEdge());
  return router;
}
