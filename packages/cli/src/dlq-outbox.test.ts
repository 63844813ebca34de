import { describe, expect, it } from 'vitest';
import { runCli } from './cli.ts';
import {
  DEFAULT_OUTBOX_SERVICE_URLS,
  formatOutboxDeadLetters,
  parseServiceUrls,
} from './commands/dlq-outbox.ts';
import { parseDlqListOptions } from './commands/dlq.ts';

describe('dlq list --outbox', () => {
  it('asks the four local services unless told otherwise', () => {
    expect(parseDlqListOptions(['--outbox']).outboxServices).toEqual([
      'http://127.0.0.1:8080',
      'http://127.0.0.1:8081',
      'http://127.0.0.1:8082',
      'http://127.0.0.1:8083',
    ]);
    expect(DEFAULT_OUTBOX_SERVICE_URLS).toHaveLength(4);
    expect(parseDlqListOptions([]).outboxServices).toBeUndefined();
  });

  it('takes comma-separated http URLs and refuses anything else', () => {
    expect(parseServiceUrls(' http://a:1/ ,https://b', 'dlq list')).toEqual(['http://a:1', 'https://b']);
    expect(() => parseServiceUrls('', 'dlq list')).toThrow('--service-urls is empty');
    expect(() => parseServiceUrls('a:1', 'dlq list')).toThrow('is not an http or https URL');
    expect(() => parseServiceUrls('not a url', 'dlq list')).toThrow('is not a URL');
    expect(() => parseDlqListOptions(['--outbox', '--topic', 'x.dlq'])).toThrow('--outbox asks the services');
    expect(() => parseDlqListOptions(['--service-urls', 'http://a'])).toThrow('goes with --outbox');
  });

  it('prints one row per row set aside, services in the order given, reasons on one line', () => {
    const table = formatOutboxDeadLetters([
      { service: 'http://t:8080', deadLetters: [] },
      {
        service: 'http://o:8081',
        deadLetters: [
          {
            id: '12',
            topic: 'orders',
            reason: 'ROW_TOO_LARGE:\n  70000 bytes',
            failedAt: '2026-01-02T03:04:05.000Z',
            size: 70000,
          },
        ],
      },
      { service: 'http://s:8082', error: 'ECONNREFUSED' },
    ]);
    expect(table?.split('\n')).toEqual([
      'SERVICE        ROW  TOPIC   FAILED AT                 BYTES  REASON',
      'http://o:8081  12   orders  2026-01-02T03:04:05.000Z  70000  ROW_TOO_LARGE: 70000 bytes',
    ]);
    expect(formatOutboxDeadLetters([{ service: 'http://t:8080', deadLetters: [] }])).toBeUndefined();
  });

  it('answers an unreachable service with exit code 1 and names it', async () => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(['dlq', 'list', '--outbox', '--service-urls', 'http://x:1'], {
      stdout: { write: (chunk: string) => (stdout += chunk) },
      stderr: { write: (chunk: string) => (stderr += chunk) },
      env: { ONCOIMG_TOKEN: 'token-of-the-test' },
      fetch: () =>
        Promise.reject(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') })),
    });
    expect({ code, stdout, stderr }).toEqual({
      code: 1,
      stdout: 'no outbox rows set aside in 0 service(s)\n',
      stderr: 'oncoimg: http://x:1: fetch failed: connect ECONNREFUSED\n',
    });
  });
});
