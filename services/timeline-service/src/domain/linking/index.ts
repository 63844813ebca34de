/**
 * Joining orders, studies and reports into exams: accession numbers, Study Instance UIDs and
 * references, with the evidence for each link and what stayed unmatched or ambiguous.
 */
export * from './identifiers.ts';
export * from './link-evidence.ts';
export * from './link-exams.ts';
