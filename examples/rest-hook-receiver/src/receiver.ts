/**
 * A rest-hook endpoint for FHIR R4 topic-based Subscriptions (Subscriptions R5 Backport IG): the
 * subscription service POSTs notification Bundles here — a handshake when the Subscription is
 * activated, heartbeats while nothing happens, event notifications with the events' numbers and,
 * depending on the payload content, their focus and the resources themselves.
 *
 * It answers 200 once `onNotification` has taken the notification, so the service counts it as
 * delivered; a 5xx (the handler threw) makes the service retry, and after a run of failures mark the
 * Subscription `error` until this endpoint answers again. A body that is no notification is a 400.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readNotification, NotificationError, type Notification } from '@oncoimg/fhir-events';

export interface RestHookReceiverOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** The path notifications are POSTed to. */
  path?: string;
  /** When set, every notification must carry this header (the Subscription's `channel.header`). */
  requiredHeader?: { name: string; value: string };
  /** Bodies above this many bytes are refused (413). */
  maxBytes?: number;
  /** Gets the notification as read, and the Bundle itself. */
  onNotification: (notification: Notification, bundle: unknown) => void | Promise<void>;
}

export interface RestHookReceiver {
  /** The endpoint to put in `Subscription.channel.endpoint`. */
  url: string;
  close(): Promise<void>;
}

const FHIR_JSON = 'application/fhir+json';

function outcome(res: ServerResponse, status: number, code: string, text: string): void {
  res.writeHead(status, { 'content-type': FHIR_JSON });
  res.end(
    JSON.stringify({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code, diagnostics: text }],
    }),
  );
}

async function readBody(req: IncomingMessage, maxBytes: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      return null;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts listening; resolves once the port is bound. */
export async function startRestHookReceiver(options: RestHookReceiverOptions): Promise<RestHookReceiver> {
  const {
    port = 0,
    host = '127.0.0.1',
    path = '/notifications',
    requiredHeader,
    maxBytes = 10_000_000,
  } = options;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (new URL(req.url ?? '/', 'http://receiver').pathname !== path) {
      outcome(res, 404, 'not-found', `notifications are received at ${path}`);
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      outcome(res, 405, 'not-supported', 'notifications are POSTed');
      return;
    }
    if (requiredHeader && req.headers[requiredHeader.name.toLowerCase()] !== requiredHeader.value) {
      outcome(res, 401, 'login', `the ${requiredHeader.name} header is missing or wrong`);
      return;
    }
    const body = await readBody(req, maxBytes);
    if (body === null) {
      outcome(res, 413, 'too-costly', `notifications larger than ${String(maxBytes)} bytes are refused`);
      return;
    }
    let notification: Notification;
    let bundle: unknown;
    try {
      bundle = JSON.parse(body);
      notification = readNotification(bundle);
    } catch (error) {
      const text = error instanceof NotificationError ? error.message : 'the body is not JSON';
      outcome(res, 400, 'invalid', text);
      return;
    }
    await options.onNotification(notification, bundle);
    res.writeHead(200).end();
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      // The notification was not taken: the service retries it.
      if (!res.headersSent) {
        outcome(res, 500, 'exception', 'the notification could not be processed; send it again');
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${String(bound)}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
