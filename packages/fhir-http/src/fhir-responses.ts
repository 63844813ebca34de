import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { HistoryEntry } from '@oncoimg/store';
import type { Response } from 'express';

/** ETag, Last-Modified and, for a write, Location of the version a response carries. */
export function setVersionHeaders(res: Response, resource: Resource, location?: string): void {
  if (resource.meta?.versionId) {
    res.setHeader('ETag', `W/"${resource.meta.versionId}"`);
  }
  if (resource.meta?.lastUpdated) {
    res.setHeader('Last-Modified', new Date(resource.meta.lastUpdated).toUTCString());
  }
  if (location) {
    res.setHeader('Location', location);
  }
}

/** `GET /fhir/{Type}/{id}/_history`: every version, newest first, with the interaction that made it. */
export function historyBundle(resourceType: string, id: string, history: readonly HistoryEntry[]): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'history',
    total: history.length,
    entry: history.map((entry) => ({
      ...(entry.resource ? { resource: entry.resource } : {}),
      request: {
        method: entry.deleted ? 'DELETE' : entry.versionId === '1' ? 'POST' : 'PUT',
        url: `${resourceType}/${id}`,
      },
      response: {
        status: entry.deleted ? '204' : entry.versionId === '1' ? '201' : '200',
        etag: `W/"${entry.versionId}"`,
        lastModified: entry.lastUpdated,
      },
    })),
  };
}

/** `GET /fhir/{Type}?…`: the matches, each with its full URL under `base`. */
export function searchsetBundle(
  base: string,
  selfUrl: string,
  resourceType: string,
  results: readonly Resource[],
): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: results.length,
    link: [{ relation: 'self', url: selfUrl }],
    entry: results.map((resource) => ({
      fullUrl: `${base}/${resourceType}/${resource.id ?? ''}`,
      resource,
      search: { mode: 'match' },
    })),
  };
}
