import { describe, expect, it } from 'vitest';
import { deadLetterRow, redrivenHeaders } from './commands/dlq.ts';
import { formatIssues } from './commands/publish.ts';
import { formatMessage, formatTable } from './format.ts';
import type { ReadMessage } from './partition-reader.ts';

const message = (over: Partial<ReadMessage> = {}): ReadMessage => ({
  topic: 'imaging.servicerequest.v1',
  partition: 2,
  offset: '17',
  timestamp: String(Date.parse('2026-11-25T09:00:00.000Z')),
  key: Buffer.from('urn:mrn|42'),
  value: Buffer.from('{"resourceType":"ServiceRequest","id":"o1"}'),
  headers: {
    zz_custom: Buffer.from('z'),
    traceparent: Buffer.from('00-abc-def-01'),
    ce_id: Buffer.from('e-1'),
    ce_type: Buffer.from('imaging.servicerequest.created'),
  },
  ...over,
});

describe('tail output', () => {
  it('shows where the event is, its key, CloudEvents headers first, and the payload indented', () => {
    const lines = formatMessage(message()).split('\n');
    expect(lines[0]).toBe('── imaging.servicerequest.v1  partition 2  offset 17  2026-11-25T09:00:00.000Z');
    expect(lines.slice(1, 6).map((line) => line.split(/\s+/)[0])).toEqual([
      'key',
      'ce_type',
      'ce_id',
      'traceparent',
      'zz_custom',
    ]);
    expect(lines[1]).toMatch(/^key\s+urn:mrn\|42$/);
    expect(lines.slice(6, 10)).toEqual(['{', '  "resourceType": "ServiceRequest",', '  "id": "o1"', '}']);
  });

  it('prints a payload that is not JSON as it is, and says when there is none', () => {
    expect(formatMessage(message({ value: Buffer.from('<xml/>') }))).toContain('\n<xml/>\n');
    expect(formatMessage(message({ value: null, key: null }))).toMatch(
      /key\s+\(none\)[\s\S]*\(no value: tombstone\)/,
    );
  });
});

describe('tables', () => {
  it('align every column to its widest cell', () => {
    expect(
      formatTable(
        ['A', 'LONGER'],
        [
          ['wide cell', '1'],
          ['x', '22'],
        ],
      ).split('\n'),
    ).toEqual(['A          LONGER', 'wide cell  1', 'x          22']);
  });
});

describe('dead letters', () => {
  const deadLetter = message({
    topic: 'orders.dlq',
    partition: 0,
    offset: '3',
    headers: {
      ce_id: Buffer.from('e-1'),
      dlq_reason: Buffer.from('payload is not\na ServiceRequest'),
      dlq_error_code: Buffer.from('INVALID_EVENT'),
      dlq_original_topic: Buffer.from('orders'),
      dlq_original_partition: Buffer.from('1'),
      dlq_original_offset: Buffer.from('99'),
      dlq_failed_at: Buffer.from('2026-11-25T09:01:00.000Z'),
    },
  });

  it('are listed with where they are, when and why they failed, and where they came from', () => {
    expect(deadLetterRow(deadLetter)).toEqual([
      'orders.dlq/0/3',
      '2026-11-25T09:01:00.000Z',
      'orders/1/99',
      'INVALID_EVENT',
      'payload is not a ServiceRequest',
    ]);
  });

  it('go back without the dlq_* headers, keeping the others, and say which dead letter they were', () => {
    const headers = redrivenHeaders(deadLetter);
    expect(Object.keys(headers).sort()).toEqual(['ce_id', 'redriven_from']);
    expect(headers.redriven_from).toBe('orders.dlq/0/3');
  });
});

describe('OperationOutcome issues', () => {
  it('print one line per issue with severity, code, text and where', () => {
    expect(
      formatIssues({
        resourceType: 'OperationOutcome',
        issue: [
          {
            severity: 'error',
            code: 'required',
            details: { text: 'subject is required' },
            expression: ['subject'],
          },
          { severity: 'warning', code: 'invalid', diagnostics: 'odd' },
        ],
      }),
    ).toEqual(['  error required: subject is required (at subject)', '  warning invalid: odd']);
  });
});
