/**
 * Filter criteria of a topic-based Subscription (the Backport IG's `backport-filter-criteria`
 * extension: `DiagnosticReport?patient=Patient/123&status=final`) and whether an event matches.
 * Several criteria, and several parameters, all have to match (logical AND); the comma-separated
 * values of one parameter are alternatives (OR), as in FHIR search.
 */
import type { ImagingStudy, Resource } from '@medplum/fhirtypes';
import type { TopicEvent } from './topic-event.ts';
import { FILTER_NAMES, type FilterName, type TopicDefinition } from './topics.ts';

export type Filters = Partial<Record<FilterName, readonly string[]>>;

/** A filter the topic does not declare, or a malformed one: the message says which and why. */
export class FilterCriteriaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterCriteriaError';
  }
}

function isFilterName(name: string): name is FilterName {
  return (FILTER_NAMES as readonly string[]).includes(name);
}

/** `Patient/7`, an absolute or versioned Patient URL, or an identifier `system|value`, as a patient key. */
export function normalizePatient(value: string): string {
  const id = /(?:^|\/)Patient\/(?<id>[A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(value)?.groups?.id;
  return id === undefined ? value : `Patient/${id}`;
}

/** Parses every criterion against the topic's `canFilterBy`; throws FilterCriteriaError. */
export function parseFilterCriteria(topic: TopicDefinition, criteria: readonly string[]): Filters {
  const filters: Partial<Record<string, string[]>> = {};
  const allowed = topic.filters.map((filter) => filter.name);
  for (const criterion of criteria) {
    const [type, query = '', ...rest] = criterion.split('?') as [string, string?, ...string[]];
    if (rest.length > 0 || query === '') {
      throw new FilterCriteriaError(
        `filter criteria ${JSON.stringify(criterion)} must read ${topic.resourceType}?name=value[&name=value]`,
      );
    }
    if (type !== topic.resourceType) {
      throw new FilterCriteriaError(
        `filter criteria of topic ${topic.url} apply to ${topic.resourceType}, not ${JSON.stringify(type)}`,
      );
    }
    for (const [name, value] of new URLSearchParams(query)) {
      if (!isFilterName(name) || !allowed.includes(name)) {
        throw new FilterCriteriaError(
          `topic ${topic.url} cannot filter by ${JSON.stringify(name)} (canFilterBy: ${allowed.join(', ')})`,
        );
      }
      const values = value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean);
      if (values.length === 0) {
        throw new FilterCriteriaError(`filter ${name} has no value`);
      }
      // A parameter given twice must match both times: keep the intersection.
      const normalized = name === 'patient' ? values.map(normalizePatient) : values;
      const before = filters[name];
      const kept = before ? before.filter((v) => normalized.includes(v)) : normalized;
      filters[name] = kept;
      if (kept.length === 0) {
        throw new FilterCriteriaError(
          `filter ${name} is given twice with no value in common: nothing can match`,
        );
      }
    }
  }
  return filters;
}

function statusOf(resource: Resource | null): string | undefined {
  const status = (resource as { status?: unknown } | null)?.status;
  return typeof status === 'string' ? status : undefined;
}

/** Modality codes of a study and its series; a `system|code` filter value compares its code. */
function modalitiesOf(resource: Resource | null): string[] {
  if (resource?.resourceType !== 'ImagingStudy') {
    return [];
  }
  const study: ImagingStudy = resource;
  return [
    ...(study.modality ?? []).map((coding) => coding.code),
    ...(study.series ?? []).map((series) => series.modality.code),
  ].filter((code): code is string => typeof code === 'string');
}

/**
 * Whether the event passes every filter. A deletion (no resource) matches a status or modality
 * filter only by what the subscriber already knew: it does not, so only patient filters let it through.
 */
export function matchesFilters(filters: Filters, event: TopicEvent): boolean {
  if (filters.patient && !filters.patient.includes(event.patientKey)) {
    return false;
  }
  if (filters.status) {
    const status = statusOf(event.resource);
    if (status === undefined || !filters.status.includes(status)) {
      return false;
    }
  }
  if (filters.modality) {
    const codes = modalitiesOf(event.resource);
    const wanted = filters.modality.map((value) => value.split('|').at(-1) ?? value);
    if (!codes.some((code) => wanted.includes(code))) {
      return false;
    }
  }
  return true;
}
