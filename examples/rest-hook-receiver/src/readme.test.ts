import { readFileSync } from 'node:fs';
import { formatNotification, readNotification } from '@oncoimg/fhir-events';
import { notificationBundle } from '@oncoimg/testing/personas';
import { describe, expect, it } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('the README of the rest-hook receiver example', () => {
  it('shows the lines the receiver prints for a handshake, a heartbeat and an event', () => {
    const block = /```\n(handshake[\s\S]*?)```/.exec(readme)?.[1].trim().split('\n');
    const printed = [
      notificationBundle({ type: 'handshake' }),
      notificationBundle({ type: 'heartbeat' }),
      notificationBundle({
        type: 'event-notification',
        events: [{ eventNumber: '1', focus: 'http://127.0.0.1:8083/fhir/DiagnosticReport/r1' }],
        resources: [{ resourceType: 'DiagnosticReport', id: 'r1', status: 'final', code: { text: 'CT' } }],
      }),
    ].map((bundle) => formatNotification(readNotification(bundle)));
    expect(block).toEqual(printed);
  });
});
