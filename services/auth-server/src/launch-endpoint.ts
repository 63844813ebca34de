import type { IncomingMessage, ServerResponse } from 'node:http';
import { identityOf, patientKeyOfClaim, type TokenVerifier } from '@oncoimg/auth';
import type { DevClient } from './dev-clients.ts';
import { readForm } from './interaction-pages.ts';
import type { LaunchContexts } from './launch-contexts.ts';

/** The path where an EHR registers a launch: `POST /launch-contexts` with `patient=<key>`. */
export const LAUNCH_CONTEXTS_PATH = '/launch-contexts';

function answer(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/**
 * `POST /launch-contexts` (form `patient=<patient key>`, bearer token of a backend client that
 * may bind patients, such as `cli-dev`): registers a SMART launch id for that patient and answers
 * `201 {launch, patient, expires_in}`. The EHR then opens the app's launch URL with it.
 */
export async function handleLaunchRegistration(
  {
    verifier,
    launchContexts,
    clients,
  }: {
    verifier: TokenVerifier;
    launchContexts: LaunchContexts;
    clients: readonly DevClient[];
  },
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.method !== 'POST') {
    res.writeHead(405, { allow: 'POST' }).end();
    return;
  }
  const token = /^Bearer[ ]+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const claims =
    token === undefined
      ? undefined
      : await verifier.verify(token).then(
          (v) => v.claims,
          () => undefined,
        );
  if (!claims) {
    res.setHeader('www-authenticate', 'Bearer realm="oncoimg-launch"');
    answer(res, 401, { error: 'invalid_token', error_description: 'a valid bearer token is required' });
    return;
  }
  const clientId = identityOf(claims).clientId;
  const client = clients.find((candidate) => candidate.clientId === clientId);
  if (client?.kind !== 'backend' || !client.mayBindPatient) {
    answer(res, 403, { error: 'forbidden', error_description: 'this client may not register launches' });
    return;
  }
  const patient = patientKeyOfClaim((await readForm(req)).get('patient')?.trim());
  if (patient === undefined) {
    answer(res, 400, { error: 'invalid_request', error_description: 'patient is not a patient key' });
    return;
  }
  const { launch, expiresInSec } = launchContexts.register(patient);
  answer(res, 201, { launch, patient, expires_in: expiresInSec });
}
