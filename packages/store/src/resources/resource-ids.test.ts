import { describe, expect, it } from 'vitest';
import { isStoreError } from '../errors.ts';
import { checkResourceId, checkResourceType, parseIfMatch, parseVersionId } from './resource-ids.ts';

describe('resource ids', () => {
  it('accepts FHIR logical ids: letters, digits, dash and dot, up to 64 characters', () => {
    expect(checkResourceId('abc-1.2')).toBe('abc-1.2');
    expect(checkResourceId('a'.repeat(64))).toBe('a'.repeat(64));
  });

  it.each(['', 'a'.repeat(65), 'a b', 'a/b', 'a_b', '../x', 42])('refuses %j as an id', (id) => {
    expect(() => checkResourceId(id)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('refuses a resource type that is not a type name', () => {
    expect(checkResourceType('ImagingStudy')).toBe('ImagingStudy');
    expect(() => checkResourceType('imagingStudy; drop')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});

describe('If-Match', () => {
  it.each([
    ['W/"3"', 3],
    ['"12"', 12],
    ['7', 7],
  ])('reads %s as version %i', (header, version) => {
    expect(parseIfMatch(header)).toBe(version);
  });

  it('refuses an If-Match that names no version', () => {
    try {
      parseIfMatch('W/"abc"');
      expect.unreachable();
    } catch (error) {
      expect(isStoreError(error, 'INVALID_ARGUMENT')).toBe(true);
    }
  });
});

describe('history version ids', () => {
  it('reads positive integers and nothing else', () => {
    expect(parseVersionId('1')).toBe(1);
    expect(parseVersionId('0')).toBeUndefined();
    expect(parseVersionId('01')).toBeUndefined();
    expect(parseVersionId('x')).toBeUndefined();
  });
});
