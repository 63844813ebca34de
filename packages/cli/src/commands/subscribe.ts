import { randomUUID } from 'node:crypto';
import type { OperationOutcome, Subscription } from '@medplum/fhirtypes';
import {
  buildBackportSubscription,
  formatNotification,
  PAYLOAD_CONTENTS,
  topicUrl,
  type Notification,
  type PayloadContent,
} from '@oncoimg/fhir-events';
import { startRestHookReceiver } from '@oncoimg/example-rest-hook-receiver';
import { defineCommand, parseOptions, type CommandContext, type Env } from '../command.ts';
import { CliError, usageError } from '../errors.ts';

export interface SubscribeOptions {
  topic: string;
  filters: string[];
  payload: PayloadContent;
  /** The subscription service's FHIR base. */
  url: string;
  listenHost: string;
  listenPort: number;
  /** What the service POSTs to, when it reaches this machine by another address than the listener's. */
  endpoint: string | undefined;
  heartbeatSeconds: number;
  scope: string;
  json: boolean;
  /** Stop after this many event notifications; unlimited when undefined. */
  count: number | undefined;
  keep: boolean;
}

const NAME = 'subscribe';
export const DEFAULT_SUBSCRIPTION_URL = 'http://127.0.0.1:8084/fhir';
/** Creating needs Subscription.c, removing it at the end .d; what is delivered follows the read scopes. */
export const DEFAULT_SUBSCRIBE_SCOPE = 'system/Subscription.cud system/*.rs';
/** The channel header the receiver insists on: only the service this Subscription went to knows it. */
const SECRET_HEADER = 'X-Oncoimg-Receiver-Secret';

function positiveInteger(value: string | undefined, name: string, min: number): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min) {
    throw usageError(`--${name} must be an integer ≥ ${String(min)}`, NAME);
  }
  return parsed;
}

export function parseSubscribeOptions(args: string[], env: Env = {}): SubscribeOptions {
  const { values } = parseOptions(NAME, args, {
    topic: { type: 'string' },
    filter: { type: 'string', multiple: true },
    payload: { type: 'string' },
    url: { type: 'string' },
    listen: { type: 'string' },
    endpoint: { type: 'string' },
    heartbeat: { type: 'string' },
    scope: { type: 'string' },
    json: { type: 'boolean' },
    count: { type: 'string' },
    keep: { type: 'boolean' },
  });
  const topic = values.topic?.trim() ?? '';
  if (topic === '' || !URL.canParse(topicUrl(topic))) {
    throw usageError(
      '--topic is required: imaging-order, imaging-study, imaging-report, imaging-response or a topic URL',
      NAME,
    );
  }
  const payload = values.payload ?? 'id-only';
  if (!(PAYLOAD_CONTENTS as readonly string[]).includes(payload)) {
    throw usageError(`--payload must be one of ${PAYLOAD_CONTENTS.join(', ')}`, NAME);
  }
  const url = (values.url ?? (env.SUBSCRIPTION_URL?.trim() || DEFAULT_SUBSCRIPTION_URL)).replace(/\/$/, '');
  if (!URL.canParse(url)) {
    throw usageError(`--url ${JSON.stringify(url)} is not a URL`, NAME);
  }
  const listen = /^(.+):(\d+)$/.exec(values.listen ?? '127.0.0.1:0');
  if (!listen) {
    throw usageError('--listen must be HOST:PORT (port 0 picks a free one)', NAME);
  }
  if (values.endpoint !== undefined && !URL.canParse(values.endpoint)) {
    throw usageError(`--endpoint ${JSON.stringify(values.endpoint)} is not a URL`, NAME);
  }
  return {
    topic,
    filters: values.filter ?? [],
    payload: payload as PayloadContent,
    url,
    listenHost: listen[1],
    listenPort: positiveInteger(listen[2], 'listen port', 0) ?? 0,
    endpoint: values.endpoint,
    heartbeatSeconds: positiveInteger(values.heartbeat, 'heartbeat', 1) ?? 60,
    scope: values.scope?.trim() || DEFAULT_SUBSCRIBE_SCOPE,
    json: values.json ?? false,
    count: positiveInteger(values.count, 'count', 1),
    keep: values.keep ?? false,
  };
}

async function send(context: CommandContext, url: string, init: RequestInit): Promise<Response> {
  try {
    return await context.fetch(url, init);
  } catch (error) {
    throw new CliError('HTTP_FAILED', `${url} is not reachable (is the subscription service running?)`, {
      retriable: true,
      cause: error,
    });
  }
}

/** The OperationOutcome's words, else the status. */
async function refusal(response: Response): Promise<string> {
  const body = (await response.json().catch(() => undefined)) as OperationOutcome | undefined;
  const issue = body?.resourceType === 'OperationOutcome' ? body.issue.at(0) : undefined;
  return issue?.details?.text ?? issue?.diagnostics ?? `HTTP ${String(response.status)}`;
}

/**
 * Starts a rest-hook receiver, creates the Subscription (R4 Backport: the topic URL in `criteria`,
 * the filters and payload content in the backport extensions), prints each notification until
 * Ctrl-C (or `--count` events), then deletes the Subscription unless `--keep`.
 */
export async function runSubscribe(options: SubscribeOptions, context: CommandContext): Promise<number> {
  const secret = randomUUID();
  let events = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const print = (notification: Notification, body: unknown): void => {
    context.out(options.json ? JSON.stringify(body) : formatNotification(notification));
    events += notification.type === 'event-notification' ? notification.events.length || 1 : 0;
    if (options.count !== undefined && events >= options.count) {
      done();
    }
  };
  const receiver = await startRestHookReceiver({
    host: options.listenHost,
    port: options.listenPort,
    requiredHeader: { name: SECRET_HEADER, value: secret },
    onNotification: (notification, body) => {
      print(notification, body);
    },
  });
  try {
    const subscription = buildBackportSubscription({
      topic: options.topic,
      filters: options.filters,
      endpoint: options.endpoint ?? receiver.url,
      payload: options.payload,
      heartbeatSeconds: options.heartbeatSeconds,
      headers: [`${SECRET_HEADER}: ${secret}`],
      reason: 'oncoimg subscribe (command line)',
    });
    const authorization = await context.authorization(options.scope);
    const created = await send(context, `${options.url}/Subscription`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/fhir+json', accept: 'application/fhir+json' },
      body: JSON.stringify(subscription),
    });
    if (!created.ok) {
      throw new CliError('REJECTED', `the Subscription was refused: ${await refusal(created)}`);
    }
    const { id, status } = (await created.json()) as Subscription;
    context.err(
      `Subscription/${id ?? '?'} ${status} on ${topicUrl(options.topic)}; receiving at ${options.endpoint ?? receiver.url}` +
        (options.count === undefined ? '; Ctrl-C stops' : ''),
    );
    const aborted = new Promise<void>((resolve) => {
      context.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await Promise.race([finished, aborted]);
    if (id && !options.keep) {
      const removed = await send(context, `${options.url}/Subscription/${id}`, {
        method: 'DELETE',
        headers: { authorization },
      });
      context.err(
        removed.ok
          ? `Subscription/${id} deleted`
          : `Subscription/${id} not deleted: ${await refusal(removed)}`,
      );
    }
    return 0;
  } finally {
    await receiver.close();
  }
}

export const subscribeCommand = defineCommand({
  name: NAME,
  summary: 'create a FHIR topic-based Subscription and print its notifications',
  usage:
    'subscribe --topic NAME|URL [--filter EXPR]... [--payload empty|id-only|full-resource] [--url BASE] [--listen HOST:PORT] [--endpoint URL] [--heartbeat S] [--count N] [--json] [--keep]',
  description: `Starts a local rest-hook receiver, creates a Subscription (FHIR R4, Subscriptions R5 Backport IG) at the
subscription service and prints one line per notification it receives: the handshake, heartbeats and
event notifications (event numbers and focus references, never resource content; --json prints the
whole Bundle). Ctrl-C deletes the Subscription (unless --keep) and stops.
  oncoimg subscribe --topic imaging-report --filter 'DiagnosticReport?patient=Patient/123' --payload full-resource`,
  options: `  --topic NAME|URL   imaging-order, imaging-study, imaging-report, imaging-response, or a SubscriptionTopic URL
  --filter EXPR      filter criteria as the topic declares them (Resource?param=value); repeatable
  --payload CONTENT  empty, id-only (default) or full-resource
  --url BASE         the subscription service's FHIR base (default: $SUBSCRIPTION_URL or ${DEFAULT_SUBSCRIPTION_URL})
  --listen HOST:PORT where the receiver listens (default: 127.0.0.1:0, a free port)
  --endpoint URL     the address the service posts to, when not the listener's own
  --heartbeat S      heartbeat period in seconds (default: 60)
  --scope SCOPES     the token's scopes (default: ${DEFAULT_SUBSCRIBE_SCOPE}); $ONCOIMG_TOKEN wins
  --count N          stop after N events
  --json             print each notification Bundle as one JSON line
  --keep             leave the Subscription in place at the end`,
  kafka: false,
  parse: parseSubscribeOptions,
  run: runSubscribe,
});
