/**
 * The load of the fault tests: patients × exams, each exam an order, its study and its report
 * linked by accession number, posted as independent EHR, PACS and RIS systems would (all three at
 * once, conditional create, retried until acknowledged). Every acknowledged write is recorded, so
 * the end state can be compared exactly.
 */
import type { DiagnosticReport, ImagingStudy, ServiceRequest } from '@medplum/fhirtypes';
import type { ImagingResourceType } from '@oncoimg/fhir-events';
import {
  authFetch,
  DICOM_UID_SYSTEM,
  imagingOrder,
  imagingReport,
  imagingStudy,
  PERSONA_PLACER_SYSTEM,
  PERSONA_RIS_ACCESSION_SYSTEM,
  personaPatient,
} from '@oncoimg/testing';

type ImagingResource = ServiceRequest | ImagingStudy | DiagnosticReport;

export interface PlannedWrite {
  resource: ImagingResource;
  /** `identifier=system|value`, unique per resource, so a retry never creates a second one. */
  ifNoneExist: string;
}

export interface PlannedExam {
  patientKey: string;
  /** Unique within the load: `p3-e1`. */
  label: string;
  writes: Record<ImagingResourceType, PlannedWrite>;
}

export interface LoadPlanOptions {
  /** Unique per test, so two runs never share identifiers. */
  run: string;
  patients: number;
  examsPerPatient: number;
}

/** N patients × M chest CTs, each with order, study and final report. */
export function planImagingLoad({ run, patients, examsPerPatient }: LoadPlanOptions): PlannedExam[] {
  const exams: PlannedExam[] = [];
  const runNumber = BigInt(`0x${Buffer.from(run).toString('hex').slice(0, 12)}`);
  for (let p = 0; p < patients; p += 1) {
    const patient = personaPatient(`${run}-p${String(p)}`);
    for (let e = 0; e < examsPerPatient; e += 1) {
      const label = `p${String(p)}-e${String(e)}`;
      const accession = `${run}-${label}`;
      const placer = `${run}-placer-${label}`;
      const uid = `2.25.${String(runNumber)}${String(p).padStart(4, '0')}${String(e).padStart(3, '0')}`;
      const day = `2024-${String(1 + (e % 12)).padStart(2, '0')}-${String(1 + (p % 28)).padStart(2, '0')}`;
      const order = imagingOrder({
        id: 'placeholder',
        patient,
        procedure: { text: 'CT Chest', loinc: '24627-2' },
        authoredOn: `${day}T08:00:00Z`,
        accession,
        placerNumber: placer,
      });
      const study = imagingStudy({
        id: 'placeholder',
        patient,
        uid,
        started: `${day}T10:00:00Z`,
        accession,
        accessionIssuer: PERSONA_RIS_ACCESSION_SYSTEM,
        series: [{ uid: `${uid}.1`, modality: 'CT', bodyPart: { snomed: '51185008', display: 'Chest' } }],
      });
      const report = imagingReport({
        id: 'placeholder',
        patient,
        status: 'final',
        code: { text: 'CT Chest report', loinc: '24627-2' },
        effective: `${day}T10:00:00Z`,
        issued: `${day}T15:00:00Z`,
        imagingStudy: { uid },
        accession,
      });
      exams.push({
        patientKey: patient.key,
        label,
        writes: {
          ServiceRequest: {
            resource: withoutServerFields(order),
            ifNoneExist: identifierQuery(PERSONA_PLACER_SYSTEM, placer),
          },
          ImagingStudy: {
            resource: withoutServerFields(study),
            ifNoneExist: identifierQuery(DICOM_UID_SYSTEM, `urn:oid:${uid}`),
          },
          DiagnosticReport: {
            resource: withoutServerFields(report),
            ifNoneExist: identifierQuery(PERSONA_RIS_ACCESSION_SYSTEM, accession),
          },
        },
      });
    }
  }
  return exams;
}

/** The server assigns id and meta on create. */
function withoutServerFields<T extends ImagingResource>(resource: T): T {
  const { id: _id, meta: _meta, ...body } = resource;
  return body as T;
}

function identifierQuery(system: string, value: string): string {
  return `identifier=${encodeURIComponent(`${system}|${value}`)}`;
}

/** A write the service answered with 2xx: from then on it must never be lost. */
export interface AcknowledgedWrite {
  exam: string;
  patientKey: string;
  resourceType: ImagingResourceType;
  id: string;
  versionId: string;
}

export interface LoadStats {
  acknowledged: AcknowledgedWrite[];
  /** Attempts answered 503 or 429 (then retried after Retry-After). */
  refused: number;
  /** Attempts that got no HTTP answer at all (connection refused or reset, or timed out). */
  noAnswer: number;
}

export interface RunLoadOptions {
  exams: PlannedExam[];
  fhirBase: (resourceType: ImagingResourceType) => string;
  /** Exams in flight at once (each posts its three resources concurrently). */
  concurrency?: number;
  /** Which parts of each exam to post; all three by default. */
  resourceTypes?: readonly ImagingResourceType[];
  /**
   * The fault to inject once this share (0–1) of the writes is acknowledged; the load goes on
   * meanwhile, and returns only when the fault (with its recovery) has finished too.
   */
  fault?: { afterShare: number; inject: () => Promise<void> };
}

/** One attempt waits this long: longer than a service's own database connect timeout (10 s). */
const ATTEMPT_TIMEOUT_MS = 30_000;
/** A write not acknowledged by then fails the test: every fault here lasts far less. */
const WRITE_DEADLINE_MS = 150_000;
const RETRY_WITHOUT_HINT_MS = 500;

/** Posts every write until acknowledged and returns what was acknowledged and what it took. */
export async function runImagingLoad({
  exams,
  fhirBase,
  concurrency = 4,
  resourceTypes = ['ServiceRequest', 'ImagingStudy', 'DiagnosticReport'],
  fault,
}: RunLoadOptions): Promise<LoadStats> {
  const stats: LoadStats = { acknowledged: [], refused: 0, noAnswer: 0 };
  const total = exams.length * resourceTypes.length;
  let injected: Promise<void> | undefined;
  const queue = [...exams];
  const worker = async (): Promise<void> => {
    for (let exam = queue.shift(); exam; exam = queue.shift()) {
      const current = exam;
      await Promise.all(
        resourceTypes.map(async (resourceType) => {
          const { id, versionId } = await postUntilAcknowledged(
            fhirBase,
            resourceType,
            current.writes[resourceType],
            stats,
          );
          stats.acknowledged.push({
            exam: current.label,
            patientKey: current.patientKey,
            resourceType,
            id,
            versionId,
          });
          if (fault && injected === undefined && stats.acknowledged.length >= total * fault.afterShare) {
            injected = fault.inject();
            // Handled here so a failed fault is not an unhandled rejection before the load ends.
            injected.catch(() => undefined);
          }
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await injected;
  return stats;
}

async function postUntilAcknowledged(
  fhirBase: (resourceType: ImagingResourceType) => string,
  resourceType: ImagingResourceType,
  write: PlannedWrite,
  stats: LoadStats,
): Promise<{ id: string; versionId: string }> {
  const deadline = Date.now() + WRITE_DEADLINE_MS;
  let last = '';
  while (Date.now() < deadline) {
    let wait = RETRY_WITHOUT_HINT_MS;
    try {
      const res = await authFetch(`${fhirBase(resourceType)}/${resourceType}`, {
        method: 'POST',
        headers: { 'content-type': 'application/fhir+json', 'if-none-exist': write.ifNoneExist },
        body: JSON.stringify(write.resource),
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      });
      const text = await res.text();
      if (res.ok) {
        const stored = JSON.parse(text) as ImagingResource;
        if (!stored.id || !stored.meta?.versionId) {
          throw new Error(`2xx without id or version: ${text}`);
        }
        return { id: stored.id, versionId: stored.meta.versionId };
      }
      if (res.status !== 503 && res.status !== 429) {
        throw new Error(`POST ${resourceType} answered ${String(res.status)}: ${text}`);
      }
      stats.refused += 1;
      last = `${String(res.status)} ${text.slice(0, 200)}`;
      const retryAfter = Number(res.headers.get('retry-after'));
      if (Number.isFinite(retryAfter) && retryAfter > 0) {
        wait = retryAfter * 1000;
      }
    } catch (error) {
      if (!isNoAnswer(error)) {
        throw error;
      }
      stats.noAnswer += 1;
      last = `no answer (${errorText(error)})`;
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
  throw new Error(`POST ${resourceType} (${write.ifNoneExist}) not acknowledged in time; last: ${last}`);
}

/** fetch failed to get any HTTP answer: refused, reset, or timed out. */
function isNoAnswer(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.message === 'fetch failed');
}

function errorText(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
  return cause?.code ?? (error instanceof Error ? error.name : String(error));
}
