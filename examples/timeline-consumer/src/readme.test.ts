import { readFileSync } from 'node:fs';
import { TIMELINE_EVENT_SCHEMA_VERSION, type TimelineSummaryEvent } from '@oncoimg/fhir-events';
import { describe, expect, it } from 'vitest';
import { formatSummaryLine } from './summary-line.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const main = readFileSync(new URL('main.ts', import.meta.url), 'utf8');

/** The summary behind the README's example line: a first-line follow-up with a partial response. */
const ReadmeSummary: TimelineSummaryEvent = {
  schemaVersion: TIMELINE_EVENT_SCHEMA_VERSION,
  patientKey: 'https://hospital.example.org/mrn|RP-0001',
  timelineVersion: 4,
  updatedAt: '2024-05-02T12:00:00.000Z',
  examCount: 5,
  currentBaseline: {
    examId: 'ServiceRequest/b1',
    date: '2024-03-04T10:00:00+01:00',
    episodeId: 'e1',
    line: 1,
  },
  latestResponse: {
    method: 'recist-1.1',
    label: 'Derived by this system, not a clinician',
    category: 'PR',
    words: 'shrunk',
    diseaseStatus: 'improved',
    sumOfDiametersMm: 52,
    baselineSumMm: 80,
    nadirSumMm: 80,
    percentFromBaseline: -35,
    percentFromNadir: -35,
    changeFromBaselineMm: -28,
    changeFromNadirMm: -28,
    diseaseStatusObservation: null,
    examId: 'ServiceRequest/f1',
    date: '2024-05-02T10:00:00+02:00',
  },
  bestOverallResponse: null,
  warnings: [],
  pending: { ordered: 0, unreported: 0 },
  problems: { unmatched: 0, ambiguous: 0 },
  radiation: { ionizingExamCount: 2, totalDlpMgyCm: 2420, totalEffectiveDoseMsv: null },
  exams: [],
};

function codeBlocks(language: string): string[] {
  return [...readme.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);
}

describe('the example README', () => {
  it('shows the consumer set-up exactly as src/main.ts has it', () => {
    const snippets = codeBlocks('ts');
    expect(snippets).toHaveLength(1);
    for (const snippet of snippets) {
      expect(main).toContain(snippet.trim());
    }
  });

  it('shows the line formatSummaryLine prints, without the patient key', () => {
    const line = formatSummaryLine(ReadmeSummary);
    expect(readme).toContain(`\n${line}\n`);
    expect(line).not.toContain('RP-0001');
  });

  it('prints the fewest words for a timeline with nothing but an order', () => {
    expect(
      formatSummaryLine({
        ...ReadmeSummary,
        examCount: 1,
        timelineVersion: 1,
        currentBaseline: null,
        latestResponse: null,
        radiation: null,
        pending: { ordered: 1, unreported: 0 },
      }),
    ).toMatch(/ v1 \| 1 exam \| no baseline \| latest no response yet \| pending 1 ordered \/ 0 unreported$/);
  });
});
