import type { RebuildProgress } from './rebuild.ts';

function seconds(ms: number): string {
  return ms >= 90_000 ? `${String(Math.round(ms / 60_000))} min` : `${(ms / 1000).toFixed(0)} s`;
}

/**
 * One progress line of a rebuild: what it reads or writes, the rate, and an estimate of the time
 * left for the current phase (reading: events; writing: patients).
 */
export function describeProgress(progress: RebuildProgress): string {
  const { phase, events, total, patients, patientsTotal, elapsedMs, phaseElapsedMs } = progress;
  const elapsed = `${(elapsedMs / 1000).toFixed(1)} s`;
  if (phase === 'reading') {
    const rate = elapsedMs > 0 ? (events / elapsedMs) * 1000 : 0;
    const percent = total === 0 ? 100 : Math.floor((events / total) * 100);
    const eta = rate > 0 ? `, reading ETA ${seconds(((total - events) / rate) * 1000)}` : '';
    return `read ${String(events)}/${String(total)} events (${String(percent)} %), ${rate.toFixed(0)} events/s${eta}, ${elapsed}`;
  }
  const rate = phaseElapsedMs > 0 ? (patients / phaseElapsedMs) * 1000 : 0;
  const eta = rate > 0 ? `, writing ETA ${seconds(((patientsTotal - patients) / rate) * 1000)}` : '';
  return `wrote ${String(patients)}/${String(patientsTotal)} patients' timelines (${String(events)} events read), ${rate.toFixed(0)} patients/s${eta}, ${elapsed}`;
}
