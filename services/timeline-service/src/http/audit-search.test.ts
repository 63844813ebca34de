import { describe, expect, it } from 'vitest';
import { parseAuditSearch } from './audit-search.ts';

describe('parseAuditSearch', () => {
  it('reads the patient, a page size and an offset, with defaults', () => {
    expect(parseAuditSearch({ patient: 'Patient/7' })).toEqual({
      patient: 'Patient/7',
      count: 50,
      offset: 0,
    });
    expect(parseAuditSearch({ _count: '10', _offset: '20' })).toEqual({ count: 10, offset: 20 });
  });

  it('reads dates at their own precision: a day is the whole day, and prefixes bound the range', () => {
    expect(parseAuditSearch({ date: '2026-03-01' })).toMatchObject({
      from: new Date('2026-03-01T00:00:00Z'),
      to: new Date('2026-03-02T00:00:00Z'),
    });
    expect(parseAuditSearch({ date: ['ge2026-01', 'lt2026-03-15T12:00:00Z'] })).toMatchObject({
      from: new Date('2026-01-01T00:00:00Z'),
      to: new Date('2026-03-15T12:00:00Z'),
    });
    expect(parseAuditSearch({ date: 'le2025' })).toMatchObject({ to: new Date('2026-01-01T00:00:00Z') });
    expect(parseAuditSearch({ date: 'gt2025-12-31' }).from).toEqual(new Date('2026-01-01T00:00:00Z'));
  });

  it('refuses what it would otherwise ignore or misread', () => {
    expect(() => parseAuditSearch({ agent: 'x' })).toThrow(/unsupported search parameter agent/);
    expect(() => parseAuditSearch({ date: 'yesterday' })).toThrow(/date must be/);
    expect(() => parseAuditSearch({ _count: '0' })).toThrow(/_count/);
    expect(() => parseAuditSearch({ _count: '501' })).toThrow(/_count/);
    expect(() => parseAuditSearch({ patient: ['a', 'b'] })).toThrow(/patient/);
  });
});
