import { describe, expect, it } from 'vitest';
import { createLogger, parseLogLevel, REDACTED } from './logger.ts';

describe('logger', () => {
  it('never writes a patient identifier, even when a caller passes one', () => {
    const lines: string[] = [];
    const logger = createLogger({ service: 'test', write: (l) => lines.push(l) });
    logger.info('stored', {
      patientKey: 'urn:mrn|12345',
      identifier: '12345',
      resourceType: 'ServiceRequest',
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('12345');
    expect(JSON.parse(lines[0])).toMatchObject({ patientKey: REDACTED, resourceType: 'ServiceRequest' });
  });

  it('drops lines below the configured level', () => {
    const lines: string[] = [];
    const logger = createLogger({ service: 'test', level: 'warn', write: (l) => lines.push(l) });
    logger.info('quiet');
    logger.error('loud');
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['loud']);
  });

  it('child loggers carry their parent fields', () => {
    const lines: string[] = [];
    createLogger({ service: 'svc', write: (l) => lines.push(l) })
      .child({ component: 'relay' })
      .warn('backing off', { attempt: 2 });
    expect(JSON.parse(lines[0])).toMatchObject({
      service: 'svc',
      component: 'relay',
      attempt: 2,
      level: 'warn',
    });
  });

  it('rejects an unknown LOG_LEVEL and names the setting', () => {
    expect(() => parseLogLevel('chatty')).toThrow(/LOG_LEVEL/);
    expect(parseLogLevel(undefined)).toBe('info');
  });
});
