import { Agent, request } from 'node:http';

export interface HttpAnswer {
  status: number;
  body: string;
  retryAfter?: string;
}

/** A keep-alive client of one local server, at most `connections` sockets. */
export interface HttpClient {
  post(path: string, body: string, contentType?: string): Promise<HttpAnswer>;
  close(): void;
}

/** node:http with a keep-alive agent: the leanest client, so the load generator takes little CPU. */
export function createHttpClient({
  port,
  connections,
  authorization,
}: {
  port: number;
  connections: number;
  /** The `Authorization` header of every request (the services want a bearer token). */
  authorization?: string;
}): HttpClient {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  return {
    post(path, body, contentType = 'application/fhir+json') {
      return new Promise((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            path,
            method: 'POST',
            agent,
            headers: {
              'content-type': contentType,
              'content-length': Buffer.byteLength(body),
              ...(authorization ? { authorization } : {}),
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
        req.end(body);
      });
    },
    close() {
      agent.destroy();
    },
  };
}
