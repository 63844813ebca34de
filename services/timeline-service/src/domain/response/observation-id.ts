/**
 * A stable FHIR id from text, without I/O (the domain cannot import node:crypto): two FNV-1a
 * 64-bit hashes with different offsets over the UTF-16 code units, 128 bits in hex. Not a
 * cryptographic digest; it only has to be the same for the same input and differ in practice.
 */

const FNV_PRIME = 0x100000001b3n;
const MASK_64 = 0xffffffffffffffffn;
/** The FNV-1a 64 offset basis, and the same with its halves swapped for the second hash. */
const OFFSETS = [0xcbf29ce484222325n, 0x84222325cbf29ce4n] as const;

function fnv1a64(text: string, offset: bigint): bigint {
  let hash = offset;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * FNV_PRIME) & MASK_64;
  }
  return hash;
}

/** `prefix-` and 32 hex digits: a valid FHIR id (at most 64 of `[A-Za-z0-9.-]`) for short prefixes. */
export function stableId(prefix: string, parts: readonly string[]): string {
  // NUL cannot occur in a patient key or an exam id, so the joined text is unambiguous.
  const text = parts.join('\u0000');
  return `${prefix}-${OFFSETS.map((offset) => fnv1a64(text, offset).toString(16).padStart(16, '0')).join('')}`;
}
