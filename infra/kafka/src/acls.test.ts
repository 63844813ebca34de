import { DEFAULT_TOPICS } from '@oncoimg/fhir-events';
import { describe, expect, it } from 'vitest';
import { AUDIT_TOPIC, localGrants } from './acls.ts';

function granted(principal: string, resource: 'TOPIC' | 'GROUP', name: string, operation: string): boolean {
  return localGrants().some(
    (grant) =>
      grant.principal === principal &&
      grant.resource === resource &&
      (grant.name === '*' ||
        (grant.pattern === 'PREFIXED' ? name.startsWith(grant.name) : grant.name === name)) &&
      (grant.operations as string[]).includes(operation),
  );
}

describe('the local broker ACLs', () => {
  it('let each intake service write its own topic and the audit trail, and no other intake topic', () => {
    const own = {
      'order-service': DEFAULT_TOPICS.serviceRequest,
      'study-service': DEFAULT_TOPICS.imagingStudy,
      'report-service': DEFAULT_TOPICS.diagnosticReport,
    };
    for (const [principal, topic] of Object.entries(own)) {
      expect(granted(principal, 'TOPIC', topic, 'WRITE'), principal).toBe(true);
      expect(granted(principal, 'TOPIC', AUDIT_TOPIC, 'WRITE'), principal).toBe(true);
      const others = Object.values(own).filter((t) => t !== topic);
      expect(
        others.filter((t) => granted(principal, 'TOPIC', t, 'WRITE')),
        principal,
      ).toEqual([]);
      expect(granted(principal, 'TOPIC', DEFAULT_TOPICS.timeline, 'WRITE'), principal).toBe(false);
    }
  });

  it('let the timeline service read the intake topics and write only its outputs', () => {
    for (const topic of [
      DEFAULT_TOPICS.serviceRequest,
      DEFAULT_TOPICS.imagingStudy,
      DEFAULT_TOPICS.diagnosticReport,
    ]) {
      expect(granted('timeline-service', 'TOPIC', topic, 'READ')).toBe(true);
      expect(granted('timeline-service', 'TOPIC', topic, 'WRITE')).toBe(false);
      expect(granted('timeline-service', 'TOPIC', `${topic}.dlq`, 'WRITE')).toBe(true);
    }
    expect(granted('timeline-service', 'TOPIC', DEFAULT_TOPICS.timeline, 'WRITE')).toBe(true);
    expect(granted('timeline-service', 'GROUP', 'oncoimg-timeline-service', 'READ')).toBe(true);
  });

  it('let the subscription service read the four streams under its group, write none of them, and write the audit trail', () => {
    for (const topic of [
      DEFAULT_TOPICS.serviceRequest,
      DEFAULT_TOPICS.imagingStudy,
      DEFAULT_TOPICS.diagnosticReport,
      DEFAULT_TOPICS.timeline,
    ]) {
      expect(granted('subscription-service', 'TOPIC', topic, 'READ'), topic).toBe(true);
      expect(granted('subscription-service', 'TOPIC', topic, 'WRITE'), topic).toBe(false);
      expect(granted('subscription-service', 'TOPIC', `${topic}.dlq`, 'WRITE'), topic).toBe(true);
    }
    expect(granted('subscription-service', 'TOPIC', AUDIT_TOPIC, 'READ')).toBe(false);
    expect(granted('subscription-service', 'TOPIC', AUDIT_TOPIC, 'WRITE')).toBe(true);
    expect(granted('subscription-service', 'GROUP', 'oncoimg-subscription-service', 'READ')).toBe(true);
    expect(granted('subscription-service', 'GROUP', 'oncoimg-timeline-service', 'READ')).toBe(false);
  });

  it('let the tools principal read everything but join only its own groups', () => {
    expect(granted('tools', 'TOPIC', 'any.topic', 'READ')).toBe(true);
    expect(granted('tools', 'TOPIC', 'any.topic', 'WRITE')).toBe(false);
    expect(granted('tools', 'GROUP', 'oncoimg-cli-1234', 'READ')).toBe(true);
    expect(granted('tools', 'GROUP', 'oncoimg-timeline-service', 'READ')).toBe(false);
  });
});
