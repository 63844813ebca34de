import { apiAuthorization } from './api-token.ts';
import { BROKERS_HELP, type CliIo, type Command, type CommandContext } from './command.ts';
import { dlqListCommand, dlqRedriveCommand } from './commands/dlq.ts';
import { kafkaConfigCommand } from './commands/kafka-config.ts';
import { lagCommand } from './commands/lag.ts';
import { launchCommand } from './commands/launch.ts';
import { publishCommand } from './commands/publish.ts';
import { replayCommand } from './commands/replay.ts';
import { subscribeCommand } from './commands/subscribe.ts';
import { tailCommand } from './commands/tail.ts';
import { tokenCommand } from './commands/token.ts';
import {
  CliError,
  describeError,
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  exitCodeOf,
  usageError,
} from './errors.ts';

export type { CliIo } from './command.ts';

/** Every command by its full name; `dlq` has subcommands. */
export const COMMANDS: readonly Command[] = [
  tailCommand,
  publishCommand,
  replayCommand,
  dlqListCommand,
  dlqRedriveCommand,
  lagCommand,
  tokenCommand,
  kafkaConfigCommand,
  launchCommand,
  subscribeCommand,
];

const GROUPS: Readonly<Record<string, string>> = {
  dlq: `Usage: oncoimg dlq <list|redrive> [options]

Dead-letter topics (<topic>.dlq) hold the messages a consumer rejected, with the reason in headers.

Commands:
${COMMANDS.filter((c) => c.name.startsWith('dlq '))
  .map((c) => `  ${c.name.slice(4).padEnd(9)} ${c.summary}`)
  .join('\n')}

Run 'oncoimg dlq <command> --help' for its options.
`,
};

export const MAIN_HELP = `Usage: oncoimg <command> [options]

Command line for integration engineers: watch, publish, replay and redrive the imaging events,
and get access tokens.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`).join('\n')}

Global options:
${BROKERS_HELP}
  -h, --help         show help (also: oncoimg <command> --help)

Exit status: 0 done, 1 failed (broker or service unreachable, request rejected), 2 wrong usage.
`;

const isHelp = (arg: string) => arg === '--help' || arg === '-h';

/** Splits global options given before the command from the command and its arguments. */
function splitGlobals(argv: readonly string[]): { globals: string[]; rest: string[] } {
  const globals: string[] = [];
  let index = 0;
  while (index < argv.length) {
    const arg = argv[index] ?? '';
    if (arg === '--brokers') {
      const value = argv.at(index + 1);
      if (value === undefined) {
        throw usageError("option '--brokers' needs a value");
      }
      globals.push(arg, value);
      index += 2;
    } else if (arg.startsWith('--brokers=') || isHelp(arg)) {
      globals.push(arg);
      index += 1;
    } else if (arg.startsWith('-')) {
      throw usageError(`unknown option '${arg}' (before the command)`);
    } else {
      break;
    }
  }
  return { globals, rest: argv.slice(index) };
}

/** The command named by the first words of `rest`, and its own arguments. */
function findCommand(rest: readonly string[]): { command?: Command; group?: string; args: string[] } {
  const [first = '', second = ''] = rest;
  const two = COMMANDS.find((c) => c.name === `${first} ${second}`);
  if (two) {
    return { command: two, args: rest.slice(2) };
  }
  if (first in GROUPS) {
    return { group: first, args: rest.slice(1) };
  }
  const one = COMMANDS.find((c) => c.name === first);
  return one ? { command: one, args: rest.slice(1) } : { args: rest.slice(1) };
}

/** Help is asked for anywhere before `--`. */
function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some(isHelp);
}

/**
 * Runs one command line (`argv` without node and the script) and resolves to the exit code: 0
 * done, 1 failed, 2 usage error. Errors go to `io.stderr` as one line; nothing throws.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const out = (line = '') => void io.stdout.write(`${line}\n`);
  const err = (line: string) => void io.stderr.write(`oncoimg: ${line}\n`);
  let helpHint = 'oncoimg --help';
  try {
    const { globals, rest } = splitGlobals(argv);
    if (rest.length === 0) {
      // A bare `oncoimg` is a usage error (scripts notice), `oncoimg --help` is not.
      if (globals.some(isHelp)) {
        io.stdout.write(MAIN_HELP);
        return EXIT_OK;
      }
      io.stderr.write(MAIN_HELP);
      return EXIT_USAGE;
    }
    if (rest[0] === 'help') {
      if (rest.length === 1) {
        io.stdout.write(MAIN_HELP);
        return EXIT_OK;
      }
      const target = findCommand(rest.slice(1));
      const text = target.command?.help ?? (target.group === undefined ? undefined : GROUPS[target.group]);
      if (text === undefined) {
        throw usageError(`unknown command '${rest.slice(1).join(' ')}'`);
      }
      io.stdout.write(text);
      return EXIT_OK;
    }
    const { command, group, args } = findCommand(rest);
    if (group !== undefined) {
      helpHint = `oncoimg ${group} --help`;
      if (wantsHelp(args) || args.length === 0) {
        (args.length === 0 ? io.stderr : io.stdout).write(GROUPS[group] ?? '');
        return args.length === 0 ? EXIT_USAGE : EXIT_OK;
      }
      throw usageError(`unknown command '${group} ${args[0] ?? ''}'`);
    }
    if (!command) {
      throw usageError(`unknown command '${rest[0] ?? ''}'`);
    }
    helpHint = `oncoimg ${command.name} --help`;
    if (wantsHelp(args) || globals.some(isHelp)) {
      io.stdout.write(command.help);
      return EXIT_OK;
    }
    const signal = io.signal ?? new AbortController().signal;
    const fetchFn = io.fetch ?? fetch;
    const context: CommandContext = {
      io,
      signal,
      fetch: fetchFn,
      authorization: apiAuthorization(io.env ?? {}, fetchFn),
      stdin: io.stdin ?? process.stdin,
      out,
      err,
    };
    return await command.run([...globals, ...args], context);
  } catch (error) {
    if (error instanceof CliError) {
      err(error.message);
      if (error.code === 'USAGE') {
        io.stderr.write(`Run '${error.command ? `oncoimg ${error.command} --help` : helpHint}' for usage.\n`);
      }
      return exitCodeOf(error);
    }
    err(`unexpected error: ${describeError(error)}`);
    return EXIT_FAILURE;
  }
}
