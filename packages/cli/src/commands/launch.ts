import { defineCommand, parseOptions, type Env } from '../command.ts';
import { CliError, usageError } from '../errors.ts';
import {
  DEFAULT_ISSUER,
  DEFAULT_TOKEN_CLIENT,
  fetchToken,
  parseTokenOptions,
  type TokenOptions,
} from './token.ts';

export interface LaunchOptions {
  patient: string;
  /** The timeline page's address: the launch URL is `{app}/launch?iss=…&launch=…`. */
  app: string;
  /** The FHIR base the launch names as `iss` (the page trusts only the ones it is configured with). */
  iss: string;
  token: TokenOptions;
}

const NAME = 'launch';
export const DEFAULT_APP = 'http://127.0.0.1:8080';
/** Registering a launch needs a token of a client that may bind patients, whatever its scope. */
const REGISTRATION_SCOPE = 'system/Patient.rs';

export function parseLaunchOptions(args: string[], env: Env = {}): LaunchOptions {
  const { values } = parseOptions(NAME, args, {
    patient: { type: 'string' },
    app: { type: 'string' },
    iss: { type: 'string' },
    client: { type: 'string' },
    issuer: { type: 'string' },
    'key-file': { type: 'string' },
  });
  const patient = values.patient?.trim() ?? '';
  if (patient === '') {
    throw usageError('--patient is required (a patient key: system|value, or Patient/id)', NAME);
  }
  const app = (values.app ?? DEFAULT_APP).replace(/\/$/, '');
  if (!URL.canParse(app)) {
    throw usageError(`--app ${JSON.stringify(app)} is not a URL`, NAME);
  }
  const passed = (['client', 'issuer', 'key-file'] as const).flatMap((name) =>
    values[name] === undefined ? [] : [`--${name}`, values[name]],
  );
  return {
    patient,
    app,
    iss: values.iss ?? `${app}/fhir`,
    token: parseTokenOptions(['--scope', REGISTRATION_SCOPE, ...passed], env),
  };
}

/** Registers a launch at the authorization server (as an EHR does) and returns the page's launch URL. */
export async function registerLaunch(options: LaunchOptions, fetchFn: typeof fetch): Promise<URL> {
  const { access_token: token } = await fetchToken(options.token, fetchFn);
  const endpoint = new URL('launch-contexts', `${options.token.issuer.replace(/\/$/, '')}/`);
  let response: Response;
  try {
    response = await fetchFn(endpoint, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ patient: options.patient }).toString(),
    });
  } catch (error) {
    throw new CliError('HTTP_FAILED', `${endpoint.href} is not reachable`, { retriable: true, cause: error });
  }
  const body = (await response.json().catch(() => ({}))) as { launch?: unknown; error_description?: unknown };
  if (response.status !== 201 || typeof body.launch !== 'string') {
    const why =
      typeof body.error_description === 'string' ? body.error_description : `HTTP ${String(response.status)}`;
    throw new CliError('REJECTED', `the launch was not registered: ${why}`);
  }
  const url = new URL(`${options.app}/launch`);
  url.searchParams.set('iss', options.iss);
  url.searchParams.set('launch', body.launch);
  return url;
}

export const launchCommand = defineCommand({
  name: NAME,
  summary: 'print a SMART EHR launch URL of the timeline page for a patient',
  usage: 'launch --patient KEY [--app URL] [--iss URL] [--client ID] [--issuer URL] [--key-file PATH]',
  description: `Registers a launch for the patient at the authorization server, as an EHR does when an
oncologist opens the timeline from a patient's chart, and prints the page's launch URL. Opened in a
browser (within 10 minutes), it signs in and lands on that patient's timeline.`,
  options: `  --patient KEY      the patient key (system|value, or Patient/id)
  --app URL          the timeline page (default: ${DEFAULT_APP})
  --iss URL          the FHIR base named as iss (default: <app>/fhir)
  --client ID        a development client that may bind patients (default: ${DEFAULT_TOKEN_CLIENT})
  --issuer URL       the authorization server (default: $OIDC_ISSUER or ${DEFAULT_ISSUER})
  --key-file PATH    the client's private JWK (default under $AUTH_DATA_DIR)`,
  kafka: false,
  parse: parseLaunchOptions,
  async run(options, context) {
    context.out((await registerLaunch(options, context.fetch)).href);
    return 0;
  },
});
