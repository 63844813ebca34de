import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usageError } from './errors.ts';

/** Where a command writes and what it may read: injected, so tests capture the output. */
export interface CliIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  /** The environment (KAFKA_BROKERS); only bin.ts reads `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Aborted on Ctrl-C: a command that follows a topic stops and exits 0. */
  signal?: AbortSignal;
  fetch?: typeof fetch;
  /** What `publish -` reads. */
  stdin?: AsyncIterable<Buffer | string>;
}

export interface CommandContext {
  io: CliIo;
  signal: AbortSignal;
  fetch: typeof fetch;
  stdin: AsyncIterable<Buffer | string>;
  out(line?: string): void;
  err(line: string): void;
}

export interface Command {
  /** `tail`, `dlq list`. */
  name: string;
  summary: string;
  help: string;
  /** Parses `args` (throwing a USAGE CliError) and runs; resolves to the exit code. */
  run(args: string[], context: CommandContext): Promise<number>;
}

export const DEFAULT_BROKERS = '127.0.0.1:9092';

/** Options every command takes. */
export const COMMON_OPTIONS = {
  brokers: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const BROKERS_HELP = `  --brokers LIST     Kafka bootstrap brokers, comma-separated (default: $KAFKA_BROKERS or ${DEFAULT_BROKERS})`;

/** node's parseArgs, with its errors turned into usage errors that point at the command's help. */
export function parseCommandLine<T extends ParseArgsConfig>(command: string, config: T) {
  try {
    return parseArgs(config);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    // node appends a long hint about `--` to unknown options; the first sentence says it all.
    throw usageError(text.split('. To specify')[0] ?? text, command);
  }
}

/** The brokers of `--brokers`, else KAFKA_BROKERS, else the local default; each must be host:port. */
export function resolveBrokers(
  option: string | undefined,
  env: Readonly<Record<string, string | undefined>> = {},
  command?: string,
): string[] {
  const raw = option ?? (env.KAFKA_BROKERS?.trim() || DEFAULT_BROKERS);
  const brokers = raw
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '');
  if (brokers.length === 0) throw usageError('--brokers is empty', command);
  for (const broker of brokers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(broker))
      throw usageError(`broker ${JSON.stringify(broker)} is not host:port`, command);
  }
  return brokers;
}

/** A whole number ≥ `min` given to `--name`. */
export function parseWholeNumber(value: string, name: string, command: string, min = 0): number {
  if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value)))
    throw usageError(
      `${name} must be a whole number ≥ ${String(min)}, not ${JSON.stringify(value)}`,
      command,
    );
  return Number(value);
}

export function exactlyOnePositional(positionals: string[], what: string, command: string): string {
  if (positionals.length === 0) throw usageError(`missing ${what}`, command);
  if (positionals.length > 1)
    throw usageError(
      `expected one ${what}, got ${String(positionals.length)}: ${positionals.join(' ')}`,
      command,
    );
  return positionals[0] ?? '';
}

export function noPositionals(positionals: string[], command: string): void {
  if (positionals.length > 0) throw usageError(`unexpected argument ${positionals.join(' ')}`, command);
}

/** A legal Kafka topic name, so a typo fails here rather than as a broker error. */
export function checkTopicName(topic: string, option: string, command: string): string {
  if (!/^[a-zA-Z0-9._-]{1,249}$/.test(topic))
    throw usageError(`${option} ${JSON.stringify(topic)} is not a legal Kafka topic name`, command);
  return topic;
}
