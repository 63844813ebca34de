import type { CodeableConcept, Coding } from '@medplum/fhirtypes';

/** The human-readable parts of codings: display, else code. */
export function codingTexts(codings: readonly (Coding | undefined)[]): string[] {
  const texts: string[] = [];
  for (const coding of codings) {
    const text = coding?.display?.trim() || coding?.code?.trim();
    if (text) {
      texts.push(text);
    }
  }
  return texts;
}

/** The human-readable parts of concepts: each concept's text and its codings' displays. */
export function conceptTexts(concepts: readonly (CodeableConcept | undefined)[]): string[] {
  const texts: string[] = [];
  for (const concept of concepts) {
    const text = concept?.text?.trim();
    if (text) {
      texts.push(text);
    }
    texts.push(...codingTexts(concept?.coding ?? []));
  }
  return texts;
}

/** All codings of the concepts, in order. */
export function codingsOf(concepts: readonly (CodeableConcept | undefined)[]): Coding[] {
  return concepts.flatMap((concept) => concept?.coding ?? []);
}

/** The first non-empty text: used as an exam's short description. */
export function firstText(...candidates: (string | undefined)[]): string | null {
  for (const candidate of candidates) {
    const text = candidate?.trim();
    if (text) {
      return text;
    }
  }
  return null;
}
