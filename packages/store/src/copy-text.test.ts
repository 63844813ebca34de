import { describe, expect, it } from 'vitest';
import { copyValue } from './copy-text.ts';

describe('copyValue', () => {
  it('escapes what COPY text format reads specially, and nothing else', () => {
    expect(copyValue('a\\b\tc\nd\re "q" é')).toBe('a\\\\b\\tc\\nd\\re "q" é');
    expect(copyValue(JSON.stringify({ a: 'x"y' }))).toBe('{"a":"x\\\\"y"}');
    expect(copyValue('plain')).toBe('plain');
  });

  it('writes null as \\N, apart from the two characters \\ and N', () => {
    expect(copyValue(null)).toBe('\\N');
    expect(copyValue('\\N')).toBe('\\\\N');
  });
});
