import { CodedError } from '@oncoimg/fhir-events';

/**
 * Errors of the timeline domain. Every one is permanent (`retriable: false`): the same event will
 * fail the same way again, so a consumer sends it to the dead-letter topic instead of retrying.
 */
export const TIMELINE_DOMAIN_ERROR_CODES = ['UNSUPPORTED_RESOURCE_TYPE', 'MISSING_RESOURCE_ID'] as const;

export type TimelineDomainErrorCode = (typeof TIMELINE_DOMAIN_ERROR_CODES)[number];

export class TimelineDomainError extends CodedError<TimelineDomainErrorCode> {}
