export { COMMANDS, MAIN_HELP, runCli, type CliIo } from './cli.ts';
export { CliError, CLI_ERROR_CODES, type CliErrorCode } from './errors.ts';
