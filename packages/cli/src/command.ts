import { parseArgs, type ParseArgsConfig, type ParseArgsOptionsConfig } from 'node:util';
import { usageError } from './errors.ts';

export type Env = Readonly<Record<string, string | undefined>>;

/** Where a command writes and what it may read: injected, so tests capture the output. */
export interface CliIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  /** The environment (KAFKA_BROKERS); only bin.ts reads `process.env`. */
  env?: Env;
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
  /** The `Authorization` header for a service API call needing `scope` (see apiAuthorization). */
  authorization(scope: string): Promise<string>;
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

/** What a command module declares; `defineCommand` turns it into a Command. */
export interface CommandSpec<O> {
  /** `tail`, `dlq list`. */
  name: string;
  summary: string;
  /** The usage line, after `oncoimg `. */
  usage: string;
  description: string;
  /** The command's own options, a help line each; --brokers and --help follow them. */
  options: string;
  /** Whether the command talks to Kafka, so that its help lists --brokers; default true. */
  kafka?: boolean;
  /** Reads the arguments, throwing a USAGE CliError. */
  parse: (args: string[], env: Env) => O;
  run: (options: O, context: CommandContext) => Promise<number>;
}

/** A command whose help lists the common options like every other's, and that runs once its arguments parse. */
export function defineCommand<O>(spec: CommandSpec<O>): Command {
  const { name, summary, usage, description, options, kafka = true, parse, run } = spec;
  return {
    name,
    summary,
    help: commandHelp(usage, description, options, kafka),
    run: (args, context) => run(parse(args, context.io.env ?? {}), context),
  };
}

export const DEFAULT_BROKERS = '127.0.0.1:9092';

/** Options every command takes. */
const COMMON_OPTIONS = {
  brokers: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const BROKERS_HELP = `  --brokers LIST     Kafka bootstrap brokers, comma-separated (default: $KAFKA_BROKERS or ${DEFAULT_BROKERS})`;

/**
 * A command's help: usage line, description, its own options, then --brokers (for the commands that
 * talk to Kafka) and --help, so every command lists the shared options the same way.
 */
function commandHelp(usage: string, description: string, options: string, kafka = true): string {
  const shared = `${kafka ? `${BROKERS_HELP}\n` : ''}  -h, --help         show this help\n`;
  return `Usage: oncoimg ${usage}\n\n${description}\n\nOptions:\n${options}\n${shared}`;
}

/** node's parseArgs, with its errors turned into usage errors that point at the command's help. */
function parseCommandLine<T extends ParseArgsConfig>(command: string, config: T) {
  try {
    return parseArgs(config);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    // node appends a long hint about `--` to unknown options; the first sentence says it all.
    throw usageError(text.split('. To specify')[0] ?? text, command);
  }
}

/**
 * Parses a command's arguments: its own `options` plus the common ones. Without `positional` the
 * command takes no positional argument; with it, exactly one, named so in the usage error.
 */
export function parseOptions<O extends ParseArgsOptionsConfig>(
  command: string,
  args: string[],
  options: O,
  positional?: string,
) {
  const { values, positionals } = parseCommandLine(command, {
    args,
    allowPositionals: true,
    options: { ...COMMON_OPTIONS, ...options },
  });
  if (positional === undefined) {
    noPositionals(positionals, command);
  }
  return {
    values,
    positional: positional === undefined ? '' : exactlyOnePositional(positionals, positional, command),
  };
}

/** The brokers of `--brokers`, else KAFKA_BROKERS, else the local default; each must be host:port. */
export function resolveBrokers(option: string | undefined, env: Env = {}, command?: string): string[] {
  const raw = option ?? (env.KAFKA_BROKERS?.trim() || DEFAULT_BROKERS);
  const brokers = raw
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '');
  if (brokers.length === 0) {
    throw usageError('--brokers is empty', command);
  }
  for (const broker of brokers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(broker)) {
      throw usageError(`broker ${JSON.stringify(broker)} is not host:port`, command);
    }
  }
  return brokers;
}

/** An optional `--name N`: undefined when not given. */
export function optionalWholeNumber(
  value: string | undefined,
  name: string,
  command: string,
  min = 0,
): number | undefined {
  return value === undefined ? undefined : parseWholeNumber(value, name, command, min);
}

/** A whole number ≥ `min` given to `--name`. */
function parseWholeNumber(value: string, name: string, command: string, min = 0): number {
  if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    throw usageError(
      `${name} must be a whole number ≥ ${String(min)}, not ${JSON.stringify(value)}`,
      command,
    );
  }
  return Number(value);
}

function exactlyOnePositional(positionals: string[], what: string, command: string): string {
  if (positionals.length === 0) {
    throw usageError(`missing ${what}`, command);
  }
  if (positionals.length > 1) {
    throw usageError(
      `expected one ${what}, got ${String(positionals.length)}: ${positionals.join(' ')}`,
      command,
    );
  }
  return positionals[0] ?? '';
}

function noPositionals(positionals: string[], command: string): void {
  if (positionals.length > 0) {
    throw usageError(`unexpected argument ${positionals.join(' ')}`, command);
  }
}

export function optionalTopicName(
  topic: string | undefined,
  option: string,
  command: string,
): string | undefined {
  return topic === undefined ? undefined : checkTopicName(topic, option, command);
}

/** A legal Kafka topic name, so a typo fails here rather than as a broker error. */
export function checkTopicName(topic: string, option: string, command: string): string {
  if (!/^[a-zA-Z0-9._-]{1,249}$/.test(topic)) {
    throw usageError(`${option} ${JSON.stringify(topic)} is not a legal Kafka topic name`, command);
  }
  return topic;
}
