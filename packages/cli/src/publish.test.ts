import { describe, expect, it } from 'vitest';
import { runCli } from './cli.ts';

interface Sent {
  method: string;
  url: string;
  authorization: string | null;
  body: { resourceType: string; entry?: { resource: { resourceType: string; id?: string } }[] };
}

/** `publish -` with `resource` on stdin and a fake network answering with `answer`. */
async function publish(resource: unknown, answer: (request: Sent) => Response, args: string[] = []) {
  const requests: Sent[] = [];
  let stdout = '';
  let stderr = '';
  const code = await runCli(['publish', '-', ...args], {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    stdin: (async function* () {
      yield JSON.stringify(resource);
    })(),
    env: { ONCOIMG_TOKEN: 'token-of-the-test' },
    fetch: (input, init) => {
      const request = {
        method: init?.method ?? 'GET',
        authorization: new Headers(init?.headers).get('authorization'),
        url: input instanceof Request ? input.url : input.toString(),
        body: JSON.parse(typeof init?.body === 'string' ? init.body : '{}') as Sent['body'],
      };
      requests.push(request);
      return Promise.resolve(answer(request));
    },
  });
  return { code, stdout, stderr, requests };
}

const fhir = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/fhir+json', ...headers },
  });

const entry = (resourceType: string, id: string) => ({
  resource: { resourceType, id },
  request: { method: 'PUT', url: `${resourceType}/${id}` },
});

describe('oncoimg publish', () => {
  it('PUTs a resource with an id to the service of its type and prints status and Location', async () => {
    const { code, stdout, requests } = await publish({ resourceType: 'ImagingStudy', id: 's1' }, () =>
      fhir(201, {}, { location: 'http://pacs/fhir/ImagingStudy/s1/_history/1' }),
    );
    expect(code).toBe(0);
    expect(requests.map((r) => `${r.method} ${r.url} ${r.authorization ?? 'no token'}`)).toEqual([
      'PUT http://127.0.0.1:8082/fhir/ImagingStudy/s1 Bearer token-of-the-test',
    ]);
    expect(stdout).toBe(
      '201 Created  PUT http://127.0.0.1:8082/fhir/ImagingStudy/s1  Location: http://pacs/fhir/ImagingStudy/s1/_history/1\n',
    );
  });

  it('splits a batch across the services, numbering entries as in the file', async () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [entry('ServiceRequest', 'o1'), entry('DiagnosticReport', 'r1'), entry('ServiceRequest', 'o2')],
    };
    const { code, stdout, requests } = await publish(
      bundle,
      (request) =>
        fhir(200, {
          resourceType: 'Bundle',
          type: 'batch-response',
          entry: (request.body.entry ?? []).map(({ resource }) =>
            resource.id === 'o2'
              ? {
                  response: {
                    status: '412',
                    outcome: {
                      issue: [{ severity: 'error', code: 'conflict', details: { text: 'version' } }],
                    },
                  },
                }
              : {
                  response: {
                    status: '201 Created',
                    location: `${resource.resourceType}/${String(resource.id)}`,
                  },
                },
          ),
        }),
      ['--order-url', 'http://ehr:1/fhir', '--report-url', 'http://ris:2/fhir/'],
    );
    expect(requests.map((r) => [r.url, r.body.entry?.map((e) => e.resource.id)])).toEqual([
      ['http://ehr:1/fhir', ['o1', 'o2']],
      ['http://ris:2/fhir', ['r1']],
    ]);
    expect(stdout.split('\n')).toEqual([
      '200 OK  POST http://ehr:1/fhir (batch, 2 entries)',
      '  entry[0] 201 Created  Location: ServiceRequest/o1',
      '  entry[2] 412',
      '    error conflict: version',
      '200 OK  POST http://ris:2/fhir (batch, 1 entry)',
      '  entry[1] 201 Created  Location: DiagnosticReport/r1',
      '',
    ]);
    expect(code).toBe(1);
  });

  it('prints the issues of a rejection and exits 1', async () => {
    const { code, stdout } = await publish({ resourceType: 'ServiceRequest' }, () =>
      fhir(400, {
        resourceType: 'OperationOutcome',
        issue: [
          {
            severity: 'error',
            code: 'required',
            details: { text: 'status is required' },
            expression: ['status'],
          },
        ],
      }),
    );
    expect(code).toBe(1);
    expect(stdout).toBe(
      '400 Bad Request  POST http://127.0.0.1:8081/fhir/ServiceRequest\n  error required: status is required (at status)\n',
    );
  });

  it('refuses, before sending anything, what no service takes', async () => {
    const never = () => fhir(500, {});
    const collection = await publish({ resourceType: 'Bundle', type: 'collection', entry: [] }, never);
    expect(collection.code).toBe(1);
    expect(collection.stderr).toContain('Bundle.type must be batch or transaction, not "collection"');
    const notJson = await publish('just text', never);
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toContain('- is not a FHIR resource');
    expect([...collection.requests, ...notJson.requests]).toEqual([]);
  });
});
