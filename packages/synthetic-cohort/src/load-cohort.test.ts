import { describe, expect, it } from 'vitest';
import { cohortArrivals, generateCohort, type SyntheticCohort } from './cohort.ts';
import { loadCohort } from './load-cohort.ts';

const BASES = {
  orderBase: 'http://orders.test/fhir',
  studyBase: 'http://studies.test/fhir',
  reportBase: 'http://reports.test/fhir/',
};

interface Call {
  method: string;
  url: string;
}

/**
 * A stand-in for the three intake services: stores the latest version of each resource, answers
 * a PUT 201 when new and 200 otherwise, and reads back with meta added and keys reordered, as a
 * JSON column does. `fail` may answer instead, by call number.
 */
function fakeServices(fail: (call: Call, n: number) => Response | Error | undefined = () => undefined) {
  const stored = new Map<string, string>();
  const calls: Call[] = [];
  const fetch = (input: string, init?: RequestInit): Promise<Response> => {
    const call = { method: init?.method ?? 'GET', url: input };
    calls.push(call);
    const failure = fail(call, calls.length);
    if (failure instanceof Error) {
      return Promise.reject(failure);
    }
    if (failure) {
      return Promise.resolve(failure);
    }
    const path = new URL(call.url).pathname.replace(/^\/fhir\//, '');
    if (call.method === 'GET') {
      const body = stored.get(path);
      if (!body) {
        return Promise.resolve(new Response('{}', { status: 404 }));
      }
      const resource = JSON.parse(body) as Record<string, unknown>;
      const reordered = Object.fromEntries(Object.entries(resource).reverse());
      return Promise.resolve(Response.json({ ...reordered, meta: { versionId: '3' } }));
    }
    const existed = stored.has(path);
    stored.set(path, typeof init?.body === 'string' ? init.body : '');
    return Promise.resolve(new Response(init?.body ?? null, { status: existed ? 200 : 201 }));
  };
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls, stored };
}

const outcome = (status: number, text: string) =>
  Response.json(
    {
      resourceType: 'OperationOutcome',
      issue: [
        { severity: 'error', code: 'invalid', details: { text }, expression: ['DiagnosticReport.status'] },
      ],
    },
    { status },
  );

describe('loadCohort', () => {
  const cohort: SyntheticCohort = generateCohort({ patients: 3, seed: 42 });
  const arrivals = cohortArrivals(cohort);

  it('PUTs every resource to the service of its type, in arrival order, reporting progress per patient', async () => {
    const services = fakeServices();
    const lines: string[] = [];
    const result = await loadCohort({
      cohort,
      ...BASES,
      concurrency: 1,
      fetch: services.fetch,
      progress: (l) => lines.push(l),
    });
    const puts = services.calls.filter((c) => c.method === 'PUT');
    expect(puts.map((c) => c.url)).toEqual(
      arrivals.map((r) => {
        const base = { ServiceRequest: 'orders', ImagingStudy: 'studies', DiagnosticReport: 'reports' }[
          r.resourceType
        ];
        return `http://${base}.test/fhir/${r.resourceType}/${r.id ?? ''}`;
      }),
    );
    expect(result).toEqual({ patients: 3, sent: arrivals.length, skipped: 0, created: services.stored.size });
    expect(lines).toHaveLength(3);
    expect(lines.at(-1)).toBe(
      `patients 3/3, resources ${String(arrivals.length)}/${String(arrivals.length)}`,
    );
  });

  it('loads several patients at once, each patient still in their own arrival order', async () => {
    const services = fakeServices();
    const result = await loadCohort({ cohort, ...BASES, concurrency: 3, fetch: services.fetch });
    expect(result.sent).toBe(arrivals.length);
    const puts = services.calls.filter((c) => c.method === 'PUT').map((c) => c.url);
    for (const patient of cohort.patients) {
      const own = patient.arrivals.map((r) => `/${r.resourceType}/${r.id ?? ''}`);
      expect(puts.filter((url) => own.some((o) => url.endsWith(o)))).toHaveLength(own.length);
      expect(
        puts.filter((url) => own.some((o) => url.endsWith(o))).map((url) => url.replace(/^.*\/fhir/, '')),
      ).toEqual(own);
    }
    // Interleaved: the second patient starts before the first is done.
    const firstOfSecond = puts.findIndex((url) => url.includes('-p002-'));
    const lastOfFirst = puts.findLastIndex((url) => url.includes('-p001-'));
    expect(firstOfSecond).toBeLessThan(lastOfFirst);
  });

  it('leaves the services as they were on a second load: no version the service went past is resent', async () => {
    const services = fakeServices();
    await loadCohort({ cohort, ...BASES, fetch: services.fetch });
    const before = new Map(services.stored);
    services.calls.length = 0;
    const result = await loadCohort({ cohort, ...BASES, fetch: services.fetch });
    expect(services.stored).toEqual(before);
    expect(result.created).toBe(0);
    expect(result.skipped).toBe(1);
    const corrected = cohort.patients[0].arrivals.find((r) => r.status === 'entered-in-error');
    const putsOfCorrected = services.calls.filter(
      (c) => c.method === 'PUT' && c.url.endsWith(`/${corrected?.id ?? ''}`),
    );
    expect(putsOfCorrected).toHaveLength(1);
  });

  it('sends the non-target statements and the old baseline as generated, and a second load still changes nothing', async () => {
    expect(cohort.patients.some((p) => p.features.includes('non-target-disease'))).toBe(true);
    expect(cohort.patients.some((p) => p.features.includes('old-baseline'))).toBe(true);
    const services = fakeServices();
    await loadCohort({ cohort, ...BASES, fetch: services.fetch });
    for (const patient of cohort.patients.filter((p) => p.features.includes('non-target-disease'))) {
      const stored = JSON.parse(
        services.stored.get(`DiagnosticReport/${patient.baseline.reportId}`) ?? '{}',
      ) as {
        contained?: { code?: { coding?: { code?: string }[] } }[];
      };
      expect(stored.contained?.some((r) => r.code?.coding?.[0]?.code === 'non-target-lesion')).toBe(true);
    }
    const result = await loadCohort({ cohort, ...BASES, fetch: services.fetch });
    expect(result).toMatchObject({ created: 0, skipped: 1 });
  });

  it('retries a 503 and a refused connection, then goes on', async () => {
    const services = fakeServices((_call, n) =>
      n === 1
        ? outcome(503, 'Database temporarily unavailable; retry')
        : n === 2
          ? new TypeError('fetch failed')
          : undefined,
    );
    const result = await loadCohort({
      cohort,
      ...BASES,
      concurrency: 1,
      fetch: services.fetch,
      retryDelayMs: 1,
    });
    expect(result.sent).toBe(arrivals.length);
    expect(services.calls.slice(0, 3).map((c) => c.url)).toEqual(Array(3).fill(services.calls[0].url));
  });

  it('gives up after its attempts when the service stays unavailable', async () => {
    const services = fakeServices(() => outcome(503, 'Database temporarily unavailable; retry'));
    await expect(
      loadCohort({ cohort, ...BASES, concurrency: 1, fetch: services.fetch, retryDelayMs: 1, attempts: 3 }),
    ).rejects.toThrow(/answered 503: Database temporarily unavailable/);
    expect(services.calls).toHaveLength(3);
  });

  it('fails at once on a 4xx with the OperationOutcome text, sending nothing more', async () => {
    const services = fakeServices((call) =>
      call.url.includes('/DiagnosticReport/') && call.method === 'PUT'
        ? outcome(400, 'status "bogus" is not in the R4 value set')
        : undefined,
    );
    await expect(
      loadCohort({ cohort, ...BASES, concurrency: 1, fetch: services.fetch, retryDelayMs: 1 }),
    ).rejects.toThrow(
      /PUT DiagnosticReport\/\S+ answered 400: status "bogus" is not in the R4 value set \(DiagnosticReport.status\)/,
    );
    const reportPuts = services.calls.filter(
      (c) => c.method === 'PUT' && c.url.includes('/DiagnosticReport/'),
    );
    expect(reportPuts).toHaveLength(1);
    expect(services.calls.at(-1)).toEqual(reportPuts[0]);
  });
});
