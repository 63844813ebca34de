import type { SyntheticCohort, CohortResource } from './cohort.ts';

export interface LoadCohortOptions {
  cohort: SyntheticCohort;
  /** FHIR bases of the intake services, e.g. `http://127.0.0.1:8081/fhir`. */
  orderBase: string;
  studyBase: string;
  reportBase: string;
  /** Called after each patient with a line such as "patients 12/40, resources 300/1000". */
  progress?: (line: string) => void;
  /** Tries of one request on 429/502/503/504 or a refused connection, the first included. */
  attempts?: number;
  /** Patients loaded at the same time; each patient's resources still go one by one, in order. */
  concurrency?: number;
  /** Wait before the first retry; doubles at each retry. */
  retryDelayMs?: number;
  fetch?: typeof globalThis.fetch;
}

export interface LoadCohortResult {
  patients: number;
  /** PUTs sent. */
  sent: number;
  /** Versions skipped because the service already holds a later version of that resource. */
  skipped: number;
  /** PUTs answered 201: the resource was new. */
  created: number;
}

/** A failure the loader does not retry: a 4xx, another 5xx, or retries used up. */
export class CohortLoadError extends Error {
  readonly status: number | null;
  constructor(message: string, status: number | null, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CohortLoadError';
    this.status = status;
  }
}

// Answers that mean "not now": the service is starting, its database or broker is briefly away,
// or this client used up its rate limit (429).
const RETRIABLE_STATUSES: readonly number[] = [429, 502, 503, 504];

/** JSON with object keys sorted, so a resource read back from the store compares equal to the one sent. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

function withoutMeta(resource: object): object {
  const { meta: _meta, ...rest } = resource as { meta?: unknown };
  return rest;
}

/** The text of an OperationOutcome answer, or the raw body when it is not one. */
function outcomeText(body: string): string {
  try {
    const outcome = JSON.parse(body) as {
      resourceType?: string;
      issue?: { details?: { text?: string }; diagnostics?: string; expression?: string[] }[];
    };
    if (outcome.resourceType === 'OperationOutcome' && outcome.issue?.length) {
      return outcome.issue
        .map((issue) => {
          const text = issue.details?.text ?? issue.diagnostics ?? 'no details';
          return issue.expression?.length ? `${text} (${issue.expression.join(', ')})` : text;
        })
        .join('; ');
    }
  } catch {
    // Not JSON: show it as it came.
  }
  return body.slice(0, 500);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends the cohort through the services' FHIR APIs, as the EHR, PACS and RIS would: `PUT
 * /{Type}/{id}`, each patient's resources in their arrival order (a few patients at a time), so a second load changes nothing (the services
 * answer an identical PUT without a new version). Where the cohort holds several versions of one
 * resource (a report later entered-in-error), versions the service has already gone past are not
 * sent again. Retries 429/502/503/504 and refused connections with backoff; fails on any other error
 * with the OperationOutcome's text.
 */
export async function loadCohort({
  cohort,
  orderBase,
  studyBase,
  reportBase,
  progress = () => {},
  attempts = 6,
  concurrency = 4,
  retryDelayMs = 250,
  fetch = globalThis.fetch,
}: LoadCohortOptions): Promise<LoadCohortResult> {
  const baseOf: Record<CohortResource['resourceType'], string> = {
    ServiceRequest: orderBase.replace(/\/$/, ''),
    ImagingStudy: studyBase.replace(/\/$/, ''),
    DiagnosticReport: reportBase.replace(/\/$/, ''),
  };
  const urlOf = (resource: CohortResource) =>
    `${baseOf[resource.resourceType]}/${resource.resourceType}/${encodeURIComponent(resource.id ?? '')}`;

  async function request(
    method: 'GET' | 'PUT',
    resource: CohortResource,
  ): Promise<{ status: number; body: string }> {
    const what = `${method} ${resource.resourceType}/${resource.id ?? ''}`;
    for (let attempt = 1; ; attempt++) {
      let failure: string;
      let status: number | null = null;
      try {
        const res = await fetch(urlOf(resource), {
          method,
          headers: {
            accept: 'application/fhir+json',
            ...(method === 'PUT' ? { 'content-type': 'application/fhir+json' } : {}),
          },
          ...(method === 'PUT' ? { body: JSON.stringify(withoutMeta(resource)) } : {}),
        });
        const body = await res.text();
        if (!RETRIABLE_STATUSES.includes(res.status)) {
          return { status: res.status, body };
        }
        status = res.status;
        failure = `answered ${String(res.status)}: ${outcomeText(body)}`;
      } catch (error) {
        failure = `failed: ${error instanceof Error ? error.message : String(error)}`;
        if (attempt >= attempts) {
          throw new CohortLoadError(`cohort load: ${what} ${failure}`, null, { cause: error });
        }
      }
      if (attempt >= attempts) {
        throw new CohortLoadError(`cohort load: ${what} ${failure}`, status);
      }
      await sleep(retryDelayMs * 2 ** (attempt - 1));
    }
  }

  // Versions of a resource the service has already gone past: on a rerun, resending them would
  // roll the resource back for a moment and publish events for nothing.
  async function versionsToSkip(resources: readonly CohortResource[]): Promise<Map<CohortResource, true>> {
    const byKey = new Map<string, CohortResource[]>();
    for (const r of resources) {
      const key = `${r.resourceType}/${r.id ?? ''}`;
      byKey.set(key, [...(byKey.get(key) ?? []), r]);
    }
    const skip = new Map<CohortResource, true>();
    for (const versions of byKey.values()) {
      if (versions.length < 2) {
        continue;
      }
      const { status, body } = await request('GET', versions[0]);
      if (status === 404 || status === 410) {
        continue;
      }
      if (status !== 200) {
        throw new CohortLoadError(
          `cohort load: GET ${urlOf(versions[0])} answered ${String(status)}: ${outcomeText(body)}`,
          status,
        );
      }
      const current = canonical(withoutMeta(JSON.parse(body) as object));
      const reached = versions.map((v) => canonical(withoutMeta(v))).lastIndexOf(current);
      for (const v of versions.slice(0, Math.max(0, reached))) {
        skip.set(v, true);
      }
    }
    return skip;
  }

  const total = cohort.patients.reduce((sum, p) => sum + p.arrivals.length, 0);
  const result: LoadCohortResult = { patients: 0, sent: 0, skipped: 0, created: 0 };
  let done = 0;
  let next = 0;
  let failed = false;

  async function loadPatient(arrivals: readonly CohortResource[]): Promise<void> {
    const skip = await versionsToSkip(arrivals);
    for (const resource of arrivals) {
      if (failed) {
        return;
      }
      done += 1;
      if (skip.has(resource)) {
        result.skipped += 1;
        continue;
      }
      const { status, body } = await request('PUT', resource);
      if (status !== 200 && status !== 201) {
        throw new CohortLoadError(
          `cohort load: PUT ${resource.resourceType}/${resource.id ?? ''} answered ${String(status)}: ${outcomeText(body)}`,
          status,
        );
      }
      result.sent += 1;
      if (status === 201) {
        result.created += 1;
      }
    }
    result.patients += 1;
    progress(
      `patients ${String(result.patients)}/${String(cohort.patients.length)}, resources ${String(done)}/${String(total)}`,
    );
  }

  // Patients are independent (each is one Kafka key), so several load at once; one patient's
  // resources always go in their arrival order.
  async function worker(): Promise<void> {
    while (!failed && next < cohort.patients.length) {
      const patient = cohort.patients[next];
      next += 1;
      try {
        await loadPatient(patient.arrivals);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.floor(concurrency)) }, worker));
  return result;
}
