import { describe, expect, it } from 'vitest';
import { runCli, type CliIo } from './cli.ts';
import { DEFAULT_REDRIVE_GROUP, parseDlqListOptions, parseDlqRedriveOptions } from './commands/dlq.ts';
import { parseLagOptions } from './commands/lag.ts';
import { DEFAULT_SERVICE_URLS, parsePublishOptions } from './commands/publish.ts';
import { parseReplayOptions, parseReplayStart } from './commands/replay.ts';
import { parseTailOptions } from './commands/tail.ts';
import { CliError } from './errors.ts';

/** Runs a command line that must fail before any I/O, capturing what a user sees. */
async function cli(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env,
    fetch: () => Promise.reject(new Error('no network in unit tests')),
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

function usageErrorOf(parse: () => unknown): CliError {
  try {
    parse();
  } catch (error) {
    if (error instanceof CliError && error.code === 'USAGE') {
      return error;
    }
    throw error;
  }
  throw new Error('expected a usage error');
}

describe('help', () => {
  it('oncoimg --help lists every command on stdout and exits 0', async () => {
    const { code, stdout, stderr } = await cli(['--help']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    for (const command of ['tail', 'publish', 'replay', 'dlq list', 'dlq redrive', 'lag']) {
      expect(stdout).toContain(`  ${command} `);
    }
    expect(stdout).toContain('--brokers');
  });

  it('oncoimg without a command prints the usage on stderr and exits 2', async () => {
    const { code, stdout, stderr } = await cli([]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('Usage: oncoimg <command>');
  });

  it.each([
    [['tail', '--help'], 'Usage: oncoimg tail <topic>'],
    [['tail', '-h', 'some-topic', '--limit', 'x'], 'Usage: oncoimg tail <topic>'],
    [['help', 'replay'], 'Usage: oncoimg replay --topic T'],
    [['publish', '--help'], 'Usage: oncoimg publish <file>'],
    [['dlq', 'list', '--help'], 'Usage: oncoimg dlq list'],
    [['help', 'dlq', 'redrive'], 'Usage: oncoimg dlq redrive'],
    [['dlq', '--help'], 'Usage: oncoimg dlq <list|redrive>'],
    [['lag', '--help'], 'Usage: oncoimg lag'],
    [['--help', 'lag'], 'Usage: oncoimg lag'],
  ])('%j prints that command’s help and exits 0', async (argv, heading) => {
    const { code, stdout } = await cli(argv);
    expect(code).toBe(0);
    expect(stdout.startsWith(heading)).toBe(true);
  });
});

describe('usage errors exit 2 with one line and a pointer to the help', () => {
  it.each([
    [['frobnicate'], "unknown command 'frobnicate'", 'oncoimg --help'],
    [['dlq'], 'Usage: oncoimg dlq <list|redrive>', undefined],
    [['dlq', 'purge'], "unknown command 'dlq purge'", 'oncoimg dlq --help'],
    [['tail'], 'missing topic', 'oncoimg tail --help'],
    [['tail', 'a', 'b'], 'expected one topic, got 2: a b', 'oncoimg tail --help'],
    [
      ['tail', 'events', '--limit', '0'],
      '--limit must be a whole number ≥ 1, not "0"',
      'oncoimg tail --help',
    ],
    [['tail', 'bad topic!'], 'is not a legal Kafka topic name', 'oncoimg tail --help'],
    [['tail', 'events', '--follow'], "Unknown option '--follow'", 'oncoimg tail --help'],
    [['tail', 'events', '--patient'], "'--patient <value>' argument missing", 'oncoimg tail --help'],
    [['replay', '--topic', 'events'], '--from is required', 'oncoimg replay --help'],
    [['replay', '--from', '3'], '--topic is required', 'oncoimg replay --help'],
    [
      ['replay', '--topic', 'e', '--from', 'yesterday'],
      '--from must be an offset or an ISO 8601 time',
      'oncoimg replay --help',
    ],
    [['replay', '--topic', 'e', '--from', '1', '--partition', '-1'], '--partition', 'oncoimg replay --help'],
    [['publish'], 'missing file', 'oncoimg publish --help'],
    [
      ['publish', 'order.json', '--order-url', 'not a url'],
      '--order-url "not a url" is not a URL',
      'oncoimg publish --help',
    ],
    [
      ['publish', 'order.json', '--study-url', 'ftp://pacs/fhir'],
      '--study-url must be an http or https URL',
      'oncoimg publish --help',
    ],
    [['dlq', 'list', 'extra'], 'unexpected argument extra', 'oncoimg dlq list --help'],
    [['lag', '--brokers', 'nohost'], 'broker "nohost" is not host:port', 'oncoimg lag --help'],
    [['--brokers', 'kafka:x', 'lag'], 'broker "kafka:x" is not host:port', 'oncoimg lag --help'],
    [['--brokers'], "option '--brokers' needs a value", 'oncoimg --help'],
    [['--verbose', 'lag'], "unknown option '--verbose' (before the command)", 'oncoimg --help'],
  ])('%j', async (argv, message, hint) => {
    const { code, stdout, stderr } = await cli(argv);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
    if (hint) {
      expect(stderr).toContain(`Run '${hint}' for usage.`);
    }
  });
});

describe('brokers', () => {
  it('default to KAFKA_BROKERS, then 127.0.0.1:9092; --brokers wins over both', () => {
    expect(parseLagOptions([]).brokers).toEqual(['127.0.0.1:9092']);
    expect(parseLagOptions([], { KAFKA_BROKERS: 'k1:9092, k2:9093' }).brokers).toEqual([
      'k1:9092',
      'k2:9093',
    ]);
    expect(parseLagOptions(['--brokers', 'k3:19092'], { KAFKA_BROKERS: 'k1:9092' }).brokers).toEqual([
      'k3:19092',
    ]);
  });

  it('a global --brokers before the command reaches the command', async () => {
    // Were the global option dropped, the command would try 127.0.0.1:9092 instead of refusing it.
    const { code, stderr } = await cli(['--brokers=bad', 'tail', 'events']);
    expect(code).toBe(2);
    expect(stderr).toContain('broker "bad" is not host:port');
  });
});

describe('command options', () => {
  it('tail reads its topic, filter and limit', () => {
    expect(
      parseTailOptions(['events', '--from-beginning', '--patient', 'urn:mrn|42', '--limit', '5']),
    ).toEqual({
      brokers: ['127.0.0.1:9092'],
      topic: 'events',
      fromBeginning: true,
      patient: 'urn:mrn|42',
      limit: 5,
      // The local broker's tools principal when this machine has one: see kafka-config.test.ts.
      security: expect.any(Object) as unknown,
    });
    expect(parseTailOptions(['events'])).toMatchObject({
      fromBeginning: false,
      patient: undefined,
      limit: undefined,
    });
  });

  it('replay takes an offset or a time, and defaults the target to the same topic', () => {
    expect(parseReplayStart('42')).toEqual({ offset: 42n });
    expect(parseReplayStart('2026-11-25T09:00:00Z')).toEqual({ time: new Date('2026-11-25T09:00:00Z') });
    expect(parseReplayStart('2026-11-25')).toEqual({ time: new Date('2026-11-25T00:00:00Z') });
    expect(usageErrorOf(() => parseReplayStart('-5')).message).toContain('--from must be');
    expect(usageErrorOf(() => parseReplayStart('12:00')).message).toContain('--from must be');
    expect(parseReplayOptions(['--topic', 'a', '--from', '7'])).toMatchObject({
      topic: 'a',
      toTopic: 'a',
      from: { offset: 7n },
      partition: undefined,
      limit: undefined,
    });
    expect(
      parseReplayOptions([
        '--topic',
        'a',
        '--from',
        '0',
        '--to-topic',
        'b',
        '--partition',
        '2',
        '--limit',
        '10',
      ]),
    ).toMatchObject({ toTopic: 'b', partition: 2, limit: 10 });
  });

  it('publish defaults to the local services and trims a trailing slash', () => {
    expect(parsePublishOptions(['order.json']).urls).toEqual(DEFAULT_SERVICE_URLS);
    expect(parsePublishOptions(['b.json', '--report-url', 'https://ris.example/fhir/']).urls.report).toBe(
      'https://ris.example/fhir',
    );
  });

  it('dlq commands read every dead-letter topic unless --topic, and redrive has a default group', () => {
    expect(parseDlqListOptions([]).topic).toBeUndefined();
    expect(parseDlqListOptions(['--topic', 'x.dlq']).topic).toBe('x.dlq');
    expect(parseDlqRedriveOptions([]).group).toBe(DEFAULT_REDRIVE_GROUP);
    expect(parseDlqRedriveOptions(['--group', 'mine']).group).toBe('mine');
  });
});
