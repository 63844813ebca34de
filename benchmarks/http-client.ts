import { Agent, request } from 'node:http';

export interface HttpAnswer {
  status: number;
  body: string;
  retryAfter?: string;
}

/** A keep-alive client of one local server, at most `connections` sockets. */
export interface HttpClient {
  post(path: string, body: string, contentType?: string): Promise<HttpAnswer>;
  get(path: string): Promise<HttpAnswer>;
  close(): void;
}

/** node:http with a keep-alive agent: the leanest client, so the load generator takes little CPU. */
export function createHttpClient({
  port,
  connections,
  headers = {},
}: {
  port: number;
  connections: number;
  /** Sent with every request (`authorization`). */
  headers?: Record<string, string>;
}): HttpClient {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const send = (method: 'GET' | 'POST', path: string, body: string, contentType: string) =>
    new Promise<HttpAnswer>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path,
          method,
          agent,
          headers: {
            ...headers,
            ...(method === 'POST'
              ? { 'content-type': contentType, 'content-length': Buffer.byteLength(body) }
              : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              retryAfter: res.headers['retry-after'],
            });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(method === 'POST' ? body : undefined);
    });
  return {
    post: (path, body, contentType = 'application/fhir+json') => send('POST', path, body, contentType),
    get: (path) => send('GET', path, '', ''),
    close() {
      agent.destroy();
    },
  };
}
