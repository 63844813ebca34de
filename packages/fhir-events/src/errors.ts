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

export class FhirEventsError extends Error {
  readonly code: FhirEventsErrorCode;
  readonly retriable = false;

  constructor(code: FhirEventsErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'FhirEventsError';
    this.code = code;
  }
}
