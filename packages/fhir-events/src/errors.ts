/**
 * Errors of the event contract. All are permanent: a message that does not decode today will not
 * decode tomorrow, so consumers send it to the dead-letter topic instead of retrying.
 */
export const FHIR_EVENTS_ERROR_CODES = [
  'INVALID_HEADERS',
  'INVALID_PAYLOAD',
  'TYPE_MISMATCH',
  'UNKNOWN_EVENT_TYPE',
  'NO_PATIENT_KEY',
] as const;

export type FhirEventsErrorCode = (typeof FHIR_EVENTS_ERROR_CODES)[number];

export interface CodedErrorOptions {
  cause?: unknown;
  /** Whether the same work may succeed when run again; default false (permanent). */
  retriable?: boolean;
}

/**
 * The shape of every package's errors: a code from a closed list, because `instanceof` does not
 * survive a process boundary, a `retriable` flag that chooses between retrying and the dead-letter
 * topic, and the `cause`. The name is the subclass's.
 */
export class CodedError<Code extends string> extends Error {
  readonly code: Code;
  readonly retriable: boolean;

  constructor(code: Code, message: string, { cause, retriable = false }: CodedErrorOptions = {}) {
    super(message, { cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = retriable;
  }
}

export class FhirEventsError extends CodedError<FhirEventsErrorCode> {}
