import { describeError, usageError } from '../errors.ts';
import { formatTable } from '../format.ts';
import type { CommandContext } from '../command.ts';

/** The four services of `npm start`: timeline, order, study, report. */
export const DEFAULT_OUTBOX_SERVICE_URLS: readonly string[] = [
  'http://127.0.0.1:8080',
  'http://127.0.0.1:8081',
  'http://127.0.0.1:8082',
  'http://127.0.0.1:8083',
];

/** A row a service's outbox relay set aside, as `GET /outbox/dead-letters` answers it. */
export interface OutboxDeadLetterEntry {
  id: string;
  topic: string;
  reason: string;
  failedAt: string;
  size: number;
}

/** What one service answered: its rows set aside, or why it could not be asked. */
export type ServiceDeadLetters =
  { service: string; deadLetters: OutboxDeadLetterEntry[] } | { service: string; error: string };

/** Each service answers within this: a hung one must not hang the whole listing. */
const SERVICE_TIMEOUT_MS = 10_000;

/** The service base URLs of `--service-urls` (comma-separated http(s) URLs, trailing slashes dropped). */
export function parseServiceUrls(value: string | undefined, command: string): string[] {
  if (value === undefined) {
    return [...DEFAULT_OUTBOX_SERVICE_URLS];
  }
  const urls = value
    .split(',')
    .map((url) => url.trim().replace(/\/+$/, ''))
    .filter((url) => url !== '');
  if (urls.length === 0) {
    throw usageError('--service-urls is empty', command);
  }
  for (const url of urls) {
    let protocol: string;
    try {
      protocol = new URL(url).protocol;
    } catch {
      throw usageError(`--service-urls: ${JSON.stringify(url)} is not a URL`, command);
    }
    if (protocol !== 'http:' && protocol !== 'https:') {
      throw usageError(`--service-urls: ${JSON.stringify(url)} is not an http or https URL`, command);
    }
  }
  return urls;
}

/** Asks one service for the rows its outbox relay set aside. */
export async function fetchOutboxDeadLetters(
  service: string,
  fetchFn: typeof fetch,
  authorization: () => Promise<string>,
): Promise<ServiceDeadLetters> {
  try {
    const res = await fetchFn(`${service}/outbox/dead-letters`, {
      headers: { authorization: await authorization() },
      signal: AbortSignal.timeout(SERVICE_TIMEOUT_MS),
    });
    if (!res.ok) {
      return { service, error: `answered ${String(res.status)}` };
    }
    return { service, deadLetters: (await res.json()) as OutboxDeadLetterEntry[] };
  } catch (error) {
    return { service, error: describeError(error) };
  }
}

/** The table of `dlq list --outbox`: one row per row set aside, services in the order given. */
export function formatOutboxDeadLetters(results: readonly ServiceDeadLetters[]): string | undefined {
  const rows = results.flatMap((result) =>
    'deadLetters' in result
      ? result.deadLetters.map((letter) => [
          result.service,
          letter.id,
          letter.topic,
          letter.failedAt,
          String(letter.size),
          letter.reason.replace(/\s+/g, ' '),
        ])
      : [],
  );
  if (rows.length === 0) {
    return undefined;
  }
  return formatTable(['SERVICE', 'ROW', 'TOPIC', 'FAILED AT', 'BYTES', 'REASON'], rows);
}

/**
 * `dlq list --outbox`: asks every service and prints one table. A service that cannot be asked
 * is reported on stderr and makes the exit code 1, after the others are listed.
 */
export async function listOutboxDeadLetters(
  services: readonly string[],
  context: CommandContext,
): Promise<number> {
  const results = await Promise.all(
    // Any valid token of the services' provider may list these rows: they hold no patient data.
    services.map((service) =>
      fetchOutboxDeadLetters(service, context.fetch, () => context.authorization('system/*.rs')),
    ),
  );
  const table = formatOutboxDeadLetters(results);
  const asked = results.filter((result) => 'deadLetters' in result);
  const count = asked.reduce((sum, result) => sum + result.deadLetters.length, 0);
  if (table === undefined) {
    context.out(`no outbox rows set aside in ${String(asked.length)} service(s)`);
  } else {
    context.out(table);
  }
  for (const result of results) {
    if ('error' in result) {
      context.err(`${result.service}: ${result.error}`);
    }
  }
  if (table !== undefined) {
    context.err(`${String(count)} outbox row(s) set aside`);
  }
  return asked.length === results.length ? 0 : 1;
}
