import { describe, expect, it } from 'vitest';
import { endpointAllowed, parseAllowList } from './endpoint-allow-list.ts';

describe('endpoint allow-list', () => {
  const rules = parseAllowList(
    'https://ehr.example.org, http://127.0.0.1:*, *.hospital.example, pacs.example:8443',
  );

  it.each([
    ['https://ehr.example.org/fhir/notify', true],
    ['https://ehr.example.org:443/notify', true],
    ['https://ehr.example.org:8443/notify', false],
    ['http://ehr.example.org/notify', false],
    ['http://127.0.0.1:39123/hook', true],
    ['http://localhost:39123/hook', false],
    ['https://a.b.hospital.example/hook', true],
    ['https://hospital.example/hook', false],
    ['http://a.hospital.example/hook', false],
    ['https://evilhospital.example/hook', false],
    ['https://user:pw@ehr.example.org/hook', false],
    ['ftp://ehr.example.org/hook', false],
    ['http://169.254.169.254/latest/meta-data', false],
    ['https://pacs.example:8443/hook', true],
    ['https://pacs.example/hook', false],
    ['not a url', false],
  ])('%s → %s', (endpoint, allowed) => {
    expect(endpointAllowed(endpoint, rules)).toBe(allowed);
  });

  it('an empty list allows nothing', () => {
    expect(endpointAllowed('https://ehr.example.org/', parseAllowList(''))).toBe(false);
  });

  it('names an entry that is not a rule', () => {
    expect(() => parseAllowList('https://ok.example, https://bad.example/path')).toThrow(
      /"https:\/\/bad.example\/path"/,
    );
  });
});
