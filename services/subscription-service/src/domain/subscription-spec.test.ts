import { OperationOutcomeError } from '@medplum/core';
import type { Subscription } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { parseAllowList } from './endpoint-allow-list.ts';
import {
  FILTER_CRITERIA_URL,
  HEARTBEAT_PERIOD_URL,
  MAX_COUNT_URL,
  parseSubscription,
  PAYLOAD_CONTENT_URL,
} from './subscription-spec.ts';

const allowList = parseAllowList('https://ehr.example.org');

function subscription(overrides: Partial<Subscription> = {}): Subscription {
  return {
    resourceType: 'Subscription',
    status: 'requested',
    reason: 'final reports',
    criteria: 'https://oncoimg.example.org/fhir/SubscriptionTopic/imaging-report',
    _criteria: { extension: [{ url: FILTER_CRITERIA_URL, valueString: 'DiagnosticReport?status=final' }] },
    channel: {
      type: 'rest-hook',
      endpoint: 'https://ehr.example.org/notify',
      payload: 'application/fhir+json',
      _payload: { extension: [{ url: PAYLOAD_CONTENT_URL, valueCode: 'full-resource' }] },
      extension: [
        { url: HEARTBEAT_PERIOD_URL, valueUnsignedInt: 60 },
        { url: MAX_COUNT_URL, valuePositiveInt: 20 },
      ],
    },
    ...overrides,
  } as Subscription;
}

function refusal(body: Subscription): string {
  try {
    parseSubscription(body, allowList);
  } catch (error) {
    if (error instanceof OperationOutcomeError) {
      return `${error.outcome.issue[0]?.details?.text ?? ''} @ ${error.outcome.issue[0]?.expression?.[0] ?? ''}`;
    }
    throw error;
  }
  throw new Error('accepted');
}

describe('a backport Subscription', () => {
  it('is read with its topic, filters, payload content and channel settings', () => {
    const spec = parseSubscription(subscription(), allowList);
    expect(spec.topic.id).toBe('imaging-report');
    expect(spec.filters).toEqual({ status: ['final'] });
    expect(spec).toMatchObject({
      payload: 'full-resource',
      heartbeatSeconds: 60,
      maxCount: 20,
      timeoutSeconds: 10,
    });
  });

  it('an unknown topic is refused at criteria', () => {
    expect(
      refusal(subscription({ criteria: 'https://oncoimg.example.org/fhir/SubscriptionTopic/nope' })),
    ).toMatch(/unknown topic .* @ Subscription.criteria/);
  });

  it('an unknown filter is refused at criteria', () => {
    const body = subscription();
    (body as unknown as { _criteria: unknown })._criteria = {
      extension: [{ url: FILTER_CRITERIA_URL, valueString: 'DiagnosticReport?colour=blue' }],
    };
    expect(refusal(body)).toMatch(/cannot filter by "colour" .* @ Subscription.criteria/);
  });

  it('an endpoint outside the allow-list is refused', () => {
    const body = subscription();
    body.channel.endpoint = 'http://10.0.0.5/admin';
    expect(refusal(body)).toMatch(/not an allowed address .* @ Subscription.channel.endpoint/);
  });

  it('a channel other than rest-hook is refused', () => {
    const body = subscription();
    body.channel.type = 'websocket';
    expect(refusal(body)).toMatch(/rest-hook .* @ Subscription.channel.type/);
  });

  it('a heartbeat below ten seconds is refused', () => {
    const body = subscription();
    body.channel.extension = [{ url: HEARTBEAT_PERIOD_URL, valueUnsignedInt: 1 }];
    expect(refusal(body)).toMatch(/backport-heartbeat-period must be/);
  });
});
