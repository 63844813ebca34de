/** A value as COPY's text format needs it: null as `\N`; backslash, tab, newline, return escaped. */
export function copyValue(value: string | null): string {
  if (value === null) {
    return '\\N';
  }
  // JSON text (most of what is copied) has backslashes but never a raw tab or line break.
  const escaped = value.includes('\\') ? value.replaceAll('\\', '\\\\') : value;
  return /[\t\n\r]/.test(escaped)
    ? escaped.replace(/[\t\n\r]/g, (c) => (c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'))
    : escaped;
}
