import { CE_HEADERS } from '@oncoimg/fhir-events';
import { headersToStrings } from '@oncoimg/kafka';
import type { ReadMessage } from './partition-reader.ts';

/** CloudEvents headers first, in the order a reader asks about them; then the rest by name. */
const HEADER_ORDER: readonly string[] = [
  CE_HEADERS.type,
  CE_HEADERS.id,
  CE_HEADERS.source,
  CE_HEADERS.subject,
  CE_HEADERS.time,
  CE_HEADERS.specversion,
  CE_HEADERS.contentType,
  CE_HEADERS.traceparent,
];

function orderedHeaders(headers: Record<string, string>): [string, string][] {
  const rank = (name: string) => {
    const index = HEADER_ORDER.indexOf(name);
    return index === -1 ? HEADER_ORDER.length : index;
  };
  return Object.entries(headers).sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** The payload indented when it is JSON, as text otherwise. */
export function formatValue(value: Buffer | null): string {
  if (value === null) {
    return '(no value: tombstone)';
  }
  const text = value.toString('utf8');
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function isoTime(timestamp: string): string {
  const ms = Number(timestamp);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : timestamp;
}

/** One message as `tail` prints it: where it is, key, headers, payload. */
export function formatMessage(message: ReadMessage): string {
  const headers = orderedHeaders(headersToStrings(message.headers));
  const width = Math.max(3, ...headers.map(([name]) => name.length));
  const line = (name: string, value: string) => `${name.padEnd(width)}  ${value}`;
  return [
    `── ${message.topic}  partition ${String(message.partition)}  offset ${message.offset}  ${isoTime(message.timestamp)}`,
    line('key', message.key === null ? '(none)' : message.key.toString('utf8')),
    ...headers.map(([name, value]) => line(name, value)),
    formatValue(message.value),
    '',
  ].join('\n');
}

/** Rows under a header, each column as wide as its widest cell. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const render = (row: readonly string[]) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ');
  return [render(header), ...rows.map(render)].join('\n');
}
