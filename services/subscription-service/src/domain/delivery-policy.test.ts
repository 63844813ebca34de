import { describe, expect, it } from 'vitest';
import { afterFailure, workDue, type DeliveryState } from './delivery-policy.ts';

const active: DeliveryState = {
  status: 'active',
  failures: 0,
  handshakeDone: true,
  eventsSinceStart: 3,
  deliveredThrough: 3,
  heartbeatSeconds: null,
  lastSentAt: new Date('2026-12-01T10:00:00Z'),
};
const policy = { maxFailures: 3, backoffMs: (failures: number) => 100 * 2 ** failures };
const now = new Date('2026-12-01T10:00:30Z');

describe('what a subscription is owed', () => {
  it('a new subscription is owed its handshake first, even with events waiting', () => {
    expect(
      workDue({ ...active, status: 'requested', handshakeDone: false, deliveredThrough: 0 }, now),
    ).toEqual({
      kind: 'handshake',
    });
  });

  it('events not yet acknowledged come next, from the first unacknowledged number', () => {
    expect(workDue({ ...active, eventsSinceStart: 5 }, now)).toEqual({
      kind: 'event-notification',
      afterNumber: 3,
    });
  });

  it('a heartbeat only once a period passed without a notification', () => {
    expect(workDue({ ...active, heartbeatSeconds: 60 }, now)).toBeNull();
    expect(workDue({ ...active, heartbeatSeconds: 30 }, now)).toEqual({ kind: 'heartbeat' });
  });

  it('an off subscription is owed nothing', () => {
    expect(workDue({ ...active, status: 'off', eventsSinceStart: 9 }, now)).toBeNull();
  });
});

describe('after a failed delivery', () => {
  const events = { kind: 'event-notification', afterNumber: 3 } as const;

  it('stays active until the configured run of failures, backing off each time', () => {
    expect(afterFailure(active, events, policy)).toEqual({ status: 'active', failures: 1, retryInMs: 200 });
    expect(afterFailure({ ...active, failures: 1 }, events, policy)).toEqual({
      status: 'active',
      failures: 2,
      retryInMs: 400,
    });
    expect(afterFailure({ ...active, failures: 2 }, events, policy).status).toBe('error');
  });

  it('a failed handshake is an error at once', () => {
    expect(afterFailure({ ...active, status: 'requested' }, { kind: 'handshake' }, policy).status).toBe(
      'error',
    );
  });
});
