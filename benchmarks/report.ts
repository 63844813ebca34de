/** The benchmark's results as a table for people and as JSON for machines. */
import { shortfall, verdict, type Target, type Verdict } from './stats.ts';

export interface FigureRow {
  section: string;
  name: string;
  value: number;
  unit: string;
  target?: Target;
  /** Ratio to the raw baseline measured in the same run, when there is one. */
  ratio?: number;
  verdict: Verdict;
  /** Fraction short of (or over) the target, for a MISS. */
  shortBy?: number;
  note?: string;
}

export function figure(
  section: string,
  name: string,
  value: number,
  unit: string,
  extra: { target?: Target; ratio?: number; note?: string } = {},
): FigureRow {
  const row: FigureRow = { section, name, value, unit, verdict: 'n/a', ...extra };
  if (extra.target) {
    row.verdict = verdict(value, extra.target);
    if (row.verdict === 'MISS') {
      row.shortBy = shortfall(value, extra.target);
    }
  }
  return row;
}

export function formatNumber(value: number, unit: string): string {
  if (!Number.isFinite(value)) {
    return '—';
  }
  if (unit === '%') {
    return `${(value * 100).toFixed(1)} %`;
  }
  if (unit === 'MiB') {
    return `${(value / 2 ** 20).toFixed(0)} MiB`;
  }
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })} ${unit}`;
}

function targetText(target: Target | undefined, unit: string): string {
  if (!target) {
    return '';
  }
  return `${target.kind === 'min' ? '≥' : '≤'} ${formatNumber(target.value, unit)}`;
}

/** A fixed-width table: section, figure, value, target, verdict (with the shortfall of a MISS). */
export function formatTable(rows: readonly FigureRow[]): string {
  const cells = rows.map((row) => [
    row.section,
    row.name,
    formatNumber(row.value, row.unit),
    targetText(row.target, row.unit),
    row.verdict === 'n/a'
      ? ''
      : row.verdict === 'MISS' && row.shortBy !== undefined && Number.isFinite(row.shortBy)
        ? `MISS (by ${(row.shortBy * 100).toFixed(0)} %)`
        : row.verdict,
    row.note ?? '',
  ]);
  const header = ['section', 'figure', 'value', 'target', 'verdict', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: readonly string[]) =>
    c
      .map((text, i) => (i === 2 ? text.padStart(widths[i]) : text.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}
