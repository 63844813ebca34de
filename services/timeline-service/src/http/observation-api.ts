import { allOk, notFound } from '@medplum/core';
import type { Bundle, Observation } from '@medplum/fhirtypes';
import { accessOf, canSeePatient, requireScope } from '@oncoimg/auth';
import { baseUrl, errorEdge, invalid, noteAudit, sendFhir } from '@oncoimg/fhir-http';
import express, { type Router } from 'express';
import type { ObservationRepository } from '../store/observation.repository.ts';

const LOINC = 'http://loinc.org';
/** `_format` changes nothing here (JSON only); any other parameter would be silently ignored, so it is refused. */
const SEARCH_PARAMETERS = new Set(['patient', 'code', '_format']);
/** FHIR ids: what a stored Observation id can be. */
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

function single(value: unknown, name: string): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalid(`${name} must be given once, with a value`, name);
  }
  return value.trim();
}

/**
 * The LOINC code a `code` token asks for: `97509-4` or `http://loinc.org|97509-4`. Any other
 * system matches nothing (null), as a token search of another system would.
 */
export function codeOfToken(token: string): string | null {
  const bar = token.indexOf('|');
  if (bar < 0) {
    return token;
  }
  const system = token.slice(0, bar);
  return system === '' || system === LOINC ? token.slice(bar + 1) : null;
}

export function observationSearchset(
  base: string,
  url: string,
  found: readonly Observation[],
): Bundle<Observation> {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: found.length,
    link: [{ relation: 'self', url: `${base}${url}` }],
    entry: found.map((resource) => ({
      fullUrl: `${base}/Observation/${resource.id ?? ''}`,
      resource,
      search: { mode: 'match' },
    })),
  };
}

/**
 * `GET /fhir/Observation?patient=<patientKey>&code=<[http://loinc.org|]97509-4>` and
 * `GET /fhir/Observation/{id}`: the mCODE CancerDiseaseStatus Observations the timeline derived,
 * as stored with the timeline (never recomputed on read). Needs `*\/Observation.rs`; a
 * patient-context token sees only its patient (another patient's search is empty, another
 * patient's Observation is not found). Without `patient`, a patient-context token searches its own.
 */
export function createObservationApi({ observations }: { observations: ObservationRepository }): Router {
  const router = express.Router();
  router.get('/Observation', requireScope('Observation', 'rs'), async (req, res) => {
    const unknown = Object.keys(req.query).filter((name) => !SEARCH_PARAMETERS.has(name));
    if (unknown.length > 0) {
      throw invalid(
        `unsupported search parameter ${unknown.join(', ')}: supported are patient and code`,
        unknown[0],
      );
    }
    const only = accessOf(res).restrictedTo;
    const patient = single(req.query.patient, 'patient') ?? only;
    if (patient === undefined) {
      throw invalid('patient is required: the patient key (system|value or Patient/id)', 'patient');
    }
    const token = single(req.query.code, 'code');
    const code = token === undefined ? undefined : codeOfToken(token);
    const searchable = canSeePatient(accessOf(res), patient) && code !== null;
    const found = searchable ? await observations.search(patient, code ?? null) : [];
    noteAudit(res, { interaction: 'search-type', patient });
    sendFhir(res, [allOk, observationSearchset(baseUrl(req), req.url, found)]);
  });
  router.get('/Observation/:id', requireScope('Observation', 'rs'), async (req, res) => {
    const id = String(req.params.id);
    const stored = FHIR_ID.test(id) ? await observations.read(id) : undefined;
    if (!stored || !canSeePatient(accessOf(res), stored.patientKey)) {
      sendFhir(res, [notFound]);
      return;
    }
    noteAudit(res, {
      interaction: 'read',
      patient: stored.patientKey,
      what: `Observation/${id}/_history/${stored.observation.meta?.versionId ?? '1'}`,
    });
    sendFhir(res, [allOk, stored.observation]);
  });
  router.use(errorEdge());
  return router;
}
