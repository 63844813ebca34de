import { CodedError, type CodedErrorOptions } from '@oncoimg/fhir-events';

/**
 * Errors of the command line. The code decides the exit status: a usage error exits 2 (the command
 * line is wrong, running it again will not help), anything else exits 1.
 */
export const CLI_ERROR_CODES = [
  'USAGE',
  'INVALID_INPUT',
  'NOT_FOUND',
  'KAFKA_FAILED',
  'HTTP_FAILED',
  'REJECTED',
  'TIMEOUT',
] as const;

export type CliErrorCode = (typeof CLI_ERROR_CODES)[number];

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** `retriable`: whether running the same command again may succeed (a broker or service that was down). */
export class CliError extends CodedError<CliErrorCode> {
  /** The command whose help the usage message points to (`dlq list`). */
  readonly command: string | undefined;

  constructor(code: CliErrorCode, message: string, options: CodedErrorOptions & { command?: string } = {}) {
    super(code, message, options);
    this.command = options.command;
  }
}

export function usageError(message: string, command?: string): CliError {
  return new CliError('USAGE', message, { command });
}

export function exitCodeOf(error: CliError): number {
  return error.code === 'USAGE' ? EXIT_USAGE : EXIT_FAILURE;
}

/** The message of an error and of its causes, for one line on stderr. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 4; depth += 1) {
    const text =
      current instanceof Error
        ? current.message
        : typeof current === 'string'
          ? current
          : JSON.stringify(current);
    if (text && !parts.includes(text)) {
      parts.push(text);
    }
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(': ');
}
