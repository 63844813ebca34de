/** Deep equality of JSON values, ignoring object key order (jsonb and clients reorder keys freely). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) {
    return true;
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return false;
  }
  if (Array.isArray(a) !== Array.isArray(b)) {
    return false;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => jsonEqual(item, b[index]));
  }
  const left = definedEntries(a as Record<string, unknown>);
  const right = definedEntries(b as Record<string, unknown>);
  if (left.size !== right.size) {
    return false;
  }
  for (const [key, value] of left) {
    if (!right.has(key) || !jsonEqual(value, right.get(key))) {
      return false;
    }
  }
  return true;
}

/** Keys with `undefined` values vanish in JSON, so they do not count. */
function definedEntries(record: Record<string, unknown>): Map<string, unknown> {
  return new Map(Object.entries(record).filter(([, value]) => value !== undefined));
}
