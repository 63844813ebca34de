import { FhirEventsError } from './errors.ts';

/** Kafka header names of CloudEvents binary mode (Kafka protocol binding), plus W3C trace context. */
export const CE_HEADERS = {
  specversion: 'ce_specversion',
  id: 'ce_id',
  source: 'ce_source',
  type: 'ce_type',
  subject: 'ce_subject',
  time: 'ce_time',
  contentType: 'content-type',
  traceparent: 'traceparent',
} as const;

export const FHIR_JSON = 'application/fhir+json';

export interface CloudEventAttributes {
  specversion: '1.0';
  /** Unique per event. */
  id: string;
  /** The service that published it: `oncoimg/order-service`. */
  source: string;
  /** `imaging.servicerequest.created` … */
  type: string;
  /** `ServiceRequest/123` */
  subject: string;
  /** RFC 3339. */
  time: string;
  datacontenttype: string;
}

/** The headers of one event. `traceparent` is added when given. */
export function buildCloudEventHeaders(
  attributes: CloudEventAttributes,
  traceparent?: string,
): Record<string, string> {
  return {
    [CE_HEADERS.specversion]: attributes.specversion,
    [CE_HEADERS.id]: attributes.id,
    [CE_HEADERS.source]: attributes.source,
    [CE_HEADERS.type]: attributes.type,
    [CE_HEADERS.subject]: attributes.subject,
    [CE_HEADERS.time]: attributes.time,
    [CE_HEADERS.contentType]: attributes.datacontenttype,
    ...(traceparent ? { [CE_HEADERS.traceparent]: traceparent } : {}),
  };
}

function required(headers: Readonly<Record<string, string | undefined>>, name: string): string {
  const value = headers[name];
  if (value === undefined || value === '') {
    throw new FhirEventsError('INVALID_HEADERS', `CloudEvents header ${name} is missing`);
  }
  return value;
}

/** Reads the CloudEvents attributes from message headers; throws INVALID_HEADERS when one is missing or wrong. */
export function parseCloudEventHeaders(
  headers: Readonly<Record<string, string | undefined>>,
): CloudEventAttributes {
  const specversion = required(headers, CE_HEADERS.specversion);
  if (specversion !== '1.0') {
    throw new FhirEventsError(
      'INVALID_HEADERS',
      `unsupported CloudEvents specversion ${JSON.stringify(specversion)}`,
    );
  }
  const time = required(headers, CE_HEADERS.time);
  if (Number.isNaN(Date.parse(time))) {
    throw new FhirEventsError('INVALID_HEADERS', 'ce_time is not a timestamp');
  }
  return {
    specversion,
    id: required(headers, CE_HEADERS.id),
    source: required(headers, CE_HEADERS.source),
    type: required(headers, CE_HEADERS.type),
    subject: required(headers, CE_HEADERS.subject),
    time,
    datacontenttype: headers[CE_HEADERS.contentType] ?? FHIR_JSON,
  };
}

/**
 * Kafka header values as a client gives them (Buffer, string, arrays: the last one wins) as the
 * strings the CloudEvents headers are, for `parseCloudEventHeaders`.
 */
export function headersToStrings(
  headers: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const value = Array.isArray(raw) ? raw.at(-1) : raw;
    if (value !== undefined) {
      result[name] = value.toString();
    }
  }
  return result;
}
