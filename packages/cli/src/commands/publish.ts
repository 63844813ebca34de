import { readFile } from 'node:fs/promises';
import { STATUS_CODES } from 'node:http';
import { defineCommand, parseOptions, type CommandContext } from '../command.ts';
import { CliError, describeError, usageError } from '../errors.ts';

type ServiceName = 'order' | 'study' | 'report';

export interface PublishOptions {
  file: string;
  /** FHIR base URL (`…/fhir`) of each intake service. */
  urls: Record<ServiceName, string>;
}

const NAME = 'publish';

export const DEFAULT_SERVICE_URLS: Readonly<Record<ServiceName, string>> = {
  order: 'http://127.0.0.1:8081/fhir',
  study: 'http://127.0.0.1:8082/fhir',
  report: 'http://127.0.0.1:8083/fhir',
};

const SERVICE_OF: Readonly<Partial<Record<string, ServiceName>>> = {
  ServiceRequest: 'order',
  ImagingStudy: 'study',
  DiagnosticReport: 'report',
};

const TYPE_OF_SERVICE: Readonly<Record<ServiceName, string>> = {
  order: 'ServiceRequest',
  study: 'ImagingStudy',
  report: 'DiagnosticReport',
};

function baseUrl(value: string | undefined, fallback: string, option: string): string {
  if (value === undefined) {
    return fallback;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError(`${option} ${JSON.stringify(value)} is not a URL`, NAME);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usageError(`${option} must be an http or https URL`, NAME);
  }
  return value.replace(/\/+$/, '');
}

export function parsePublishOptions(args: string[]): PublishOptions {
  const { values, positional } = parseOptions(
    NAME,
    args,
    { 'order-url': { type: 'string' }, 'study-url': { type: 'string' }, 'report-url': { type: 'string' } },
    'file',
  );
  return {
    file: positional,
    urls: {
      order: baseUrl(values['order-url'], DEFAULT_SERVICE_URLS.order, '--order-url'),
      study: baseUrl(values['study-url'], DEFAULT_SERVICE_URLS.study, '--study-url'),
      report: baseUrl(values['report-url'], DEFAULT_SERVICE_URLS.report, '--report-url'),
    },
  };
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

async function readJson(file: string, stdin: AsyncIterable<Buffer | string>): Promise<Json> {
  let text: string;
  try {
    text = file === '-' ? await readAll(stdin) : await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError('INVALID_INPUT', `cannot read ${file}: ${describeError(error)}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CliError('INVALID_INPUT', `${file} is not JSON: ${describeError(error)}`, { cause: error });
  }
  if (!isObject(parsed) || typeof parsed.resourceType !== 'string') {
    throw new CliError('INVALID_INPUT', `${file} is not a FHIR resource (no resourceType)`);
  }
  return parsed;
}

async function readAll(stream: AsyncIterable<Buffer | string>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function serviceOf(resourceType: string, where: string): ServiceName {
  const service = SERVICE_OF[resourceType];
  if (!service) {
    throw new CliError(
      'INVALID_INPUT',
      `${where}: no service takes ${resourceType} (ServiceRequest, ImagingStudy and DiagnosticReport only)`,
    );
  }
  return service;
}

/** The service of a Bundle entry: its resource's type, or for a DELETE the type in its url. */
function entryService(entry: unknown, index: number): ServiceName {
  const where = `Bundle.entry[${String(index)}]`;
  if (!isObject(entry)) {
    throw new CliError('INVALID_INPUT', `${where} is not an object`);
  }
  const resourceType = isObject(entry.resource) ? entry.resource.resourceType : undefined;
  const url = isObject(entry.request) ? entry.request.url : undefined;
  const type =
    typeof resourceType === 'string'
      ? resourceType
      : typeof url === 'string'
        ? (url.replace(/^\//, '').split(/[/?]/)[0] ?? '')
        : '';
  if (type === '') {
    throw new CliError('INVALID_INPUT', `${where} has neither a resource nor a request.url`);
  }
  return serviceOf(type, where);
}

interface Issue {
  severity?: string;
  code?: string;
  details?: { text?: string };
  diagnostics?: string;
  expression?: string[];
}

/** The issues of an OperationOutcome, one line each. */
export function formatIssues(outcome: unknown, indent = '  '): string[] {
  const issues = isObject(outcome) && Array.isArray(outcome.issue) ? (outcome.issue as Issue[]) : [];
  return issues.map((issue) => {
    const text = issue.details?.text ?? issue.diagnostics ?? '';
    const at = issue.expression && issue.expression.length > 0 ? ` (at ${issue.expression.join(', ')})` : '';
    return `${indent}${issue.severity ?? 'error'} ${issue.code ?? ''}: ${text}${at}`;
  });
}

interface Sent {
  status: number;
  statusText: string;
  location: string | null;
  body: unknown;
}

async function send(
  context: CommandContext,
  method: 'POST' | 'PUT',
  url: string,
  body: Json,
  service: ServiceName,
): Promise<Sent> {
  // Whatever a Bundle's entries do to the service's one type: create, update or delete.
  const authorization = await context.authorization(`system/${TYPE_OF_SERVICE[service]}.cud`);
  let response: Response;
  try {
    response = await context.fetch(url, {
      method,
      headers: {
        'content-type': 'application/fhir+json',
        accept: 'application/fhir+json',
        authorization,
      },
      body: JSON.stringify(body),
      signal: context.signal,
    });
  } catch (error) {
    throw new CliError(
      'HTTP_FAILED',
      `could not reach the ${service} service at ${url}: ${describeError(error)}`,
      {
        retriable: true,
        cause: error,
      },
    );
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = text;
  }
  return {
    status: response.status,
    // HTTP/2 and some servers send no reason phrase: name the status ourselves.
    statusText: STATUS_CODES[response.status] ?? response.statusText,
    location: response.headers.get('location'),
    body: parsed,
  };
}

/** Prints one response; returns whether it was a success. */
function report(context: CommandContext, what: string, sent: Sent): boolean {
  context.out(
    `${String(sent.status)} ${sent.statusText}  ${what}${sent.location ? `  Location: ${sent.location}` : ''}`,
  );
  if (sent.status < 400) {
    return true;
  }
  const issues = formatIssues(sent.body);
  for (const line of issues.length > 0
    ? issues
    : [`  ${typeof sent.body === 'string' ? sent.body : 'no OperationOutcome in the response'}`]) {
    context.out(line);
  }
  return false;
}

/** Prints the entries of a batch/transaction response, numbered as in the file; returns whether all succeeded. */
function reportEntries(context: CommandContext, sent: Sent, indexes: readonly number[]): boolean {
  const entries = isObject(sent.body) && Array.isArray(sent.body.entry) ? (sent.body.entry as unknown[]) : [];
  let ok = true;
  entries.forEach((entry, position) => {
    const response = isObject(entry) && isObject(entry.response) ? entry.response : {};
    const status = typeof response.status === 'string' ? response.status : '?';
    const location = typeof response.location === 'string' ? `  Location: ${response.location}` : '';
    context.out(`  entry[${String(indexes[position] ?? position)}] ${status}${location}`);
    if (!/^[23]/.test(status)) {
      ok = false;
      for (const line of formatIssues(response.outcome, '    ')) {
        context.out(line);
      }
    }
  });
  return ok;
}

export const publishCommand = defineCommand({
  name: NAME,
  summary: 'send a FHIR resource or Bundle (JSON file) to the intake service of its type',
  usage: 'publish <file> [--order-url URL] [--study-url URL] [--report-url URL]',
  description: `Sends a FHIR R4 resource or Bundle (JSON file, '-' for stdin) to the intake service of its type,
which stores it and publishes the event: ServiceRequest → order service, ImagingStudy → study
service, DiagnosticReport → report service. A resource with an id is sent as PUT Type/id (create or
update), without one as POST Type. A batch or transaction Bundle is POSTed to the service base; a
batch mixing types is split into one batch per service. Prints each status and Location; a
rejection prints the OperationOutcome issues and exits 1.`,
  options: `  --order-url URL    order service FHIR base (default ${DEFAULT_SERVICE_URLS.order})
  --study-url URL    study service FHIR base (default ${DEFAULT_SERVICE_URLS.study})
  --report-url URL   report service FHIR base (default ${DEFAULT_SERVICE_URLS.report})`,
  kafka: false,
  parse: parsePublishOptions,
  async run({ file, urls }, context) {
    const resource = await readJson(file, context.stdin);
    const resourceType = resource.resourceType as string;

    if (resourceType !== 'Bundle') {
      const service = serviceOf(resourceType, file);
      const id = typeof resource.id === 'string' && resource.id !== '' ? resource.id : undefined;
      const method = id ? 'PUT' : 'POST';
      const url = `${urls[service]}/${resourceType}${id ? `/${encodeURIComponent(id)}` : ''}`;
      const sent = await send(context, method, url, resource, service);
      return report(context, `${method} ${url}`, sent) ? 0 : 1;
    }

    const type = resource.type;
    if (type !== 'batch' && type !== 'transaction') {
      throw new CliError(
        'INVALID_INPUT',
        `${file}: Bundle.type must be batch or transaction, not ${JSON.stringify(type)}`,
      );
    }
    const entries = Array.isArray(resource.entry) ? (resource.entry as unknown[]) : [];
    if (entries.length === 0) {
      throw new CliError('INVALID_INPUT', `${file}: the Bundle has no entries`);
    }
    const byService = new Map<ServiceName, number[]>();
    entries.forEach((entry, index) => {
      const service = entryService(entry, index);
      byService.set(service, [...(byService.get(service) ?? []), index]);
    });
    if (type === 'transaction' && byService.size > 1) {
      throw new CliError(
        'INVALID_INPUT',
        `${file}: a transaction is atomic within one service, but its entries go to the ${[...byService.keys()].join(', ')} services; split it, or make it a batch`,
      );
    }

    let ok = true;
    for (const [service, indexes] of byService) {
      const part = byService.size === 1 ? resource : { ...resource, entry: indexes.map((i) => entries[i]) };
      const url = urls[service];
      const sent = await send(context, 'POST', url, part, service);
      const what = `POST ${url} (${type}, ${String(indexes.length)} entr${indexes.length === 1 ? 'y' : 'ies'})`;
      if (!report(context, what, sent)) {
        ok = false;
      } else if (!reportEntries(context, sent, indexes)) {
        ok = false;
      }
    }
    return ok ? 0 : 1;
  },
});
