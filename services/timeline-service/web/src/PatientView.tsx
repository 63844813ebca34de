import { useEffect, useState } from 'react';
import { api, type StoredTimeline } from './api.ts';
import { ExamItem } from './ExamItem.tsx';
import { SumChart, sumPoints } from './SumChart.tsx';
import type { TimelineNotice } from './live-updates.ts';

interface RadiationView {
  ionizingExamCount?: number;
  nonIonizingExamCount?: number;
  totalDlpMgyCm?: number | null;
  totalEffectiveDoseMsv?: number | null;
}

export function PatientView({ patientKey, notice }: { patientKey: string; notice: TimelineNotice | null }) {
  const [timeline, setTimeline] = useState<StoredTimeline | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const [name, setName] = useState<string | null>(null);

  // The timeline carries no name: the sources' subject display names are what the search finds.
  useEffect(() => {
    let cancelled = false;
    setName(null);
    api
      .searchPatients(patientKey)
      .then(({ patients }) => {
        const match = patients.find((p) => p.patientKey === patientKey);
        if (!cancelled) {
          setName(match?.names.at(0) ?? null);
        }
      })
      .catch(() => {
        // The key alone still names the patient.
      });
    return () => {
      cancelled = true;
    };
  }, [patientKey]);

  useEffect(() => {
    let cancelled = false;
    api
      .timeline(patientKey)
      .then((t) => {
        if (cancelled) {
          return;
        }
        setTimeline((previous) => {
          if (previous && previous.timelineVersion !== t.timelineVersion) {
            setAnnouncement(`Timeline updated (version ${String(t.timelineVersion)})`);
          }
          return t;
        });
        setError(null);
      })
      .catch((e: unknown) => !cancelled && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      cancelled = true;
    };
  }, [patientKey, notice?.patientKey === patientKey ? notice.version : null]);

  if (error) {
    return <p role="alert">Could not load the timeline: {error}</p>;
  }
  if (!timeline) {
    return <p>Loading…</p>;
  }
  const baselineId = timeline.currentBaseline?.examId ?? null;
  const radiation = (timeline.radiation ?? {}) as RadiationView;
  const examById = new Map(timeline.exams.map((e) => [e.examId, e]));
  const warnings = (timeline as Partial<typeof timeline>).warnings ?? [];
  const best = baselineId ? examById.get(baselineId)?.response?.bestOverallResponse : undefined;
  const describe = (id: string) => {
    const e = examById.get(id);
    if (!e) {
      return id;
    }
    const description = e.description ?? '';
    // "CT Chest" needs no "CT" in front; "Bone scan" does.
    const modality = e.modality && !description.startsWith(e.modality) ? e.modality : '';
    return [e.date?.slice(0, 10) ?? 'no date', modality, description].filter(Boolean).join(' ');
  };

  return (
    <section aria-labelledby="patient-heading" data-timeline-version={timeline.timelineVersion}>
      <h2 id="patient-heading">Timeline of {name ?? timeline.patientKey}</h2>
      {name && (
        <p className="muted" data-testid="patient-key">
          {timeline.patientKey}
        </p>
      )}
      <p className="live" aria-live="polite" data-testid="announcement">
        {announcement}
      </p>
      <div className="summary-grid">
        <div>
          <h3>Baseline</h3>
          <p data-testid="baseline">{baselineId ? describe(baselineId) : 'No baseline yet'}</p>
        </div>
        <div>
          <h3>Best overall response</h3>
          <p data-testid="best-overall-response">
            {best?.category
              ? `${best.category}${best.confirmed ? ' (confirmed)' : ' (not confirmed)'} — derived by software, needs clinician confirmation`
              : 'Not assessed yet'}
          </p>
        </div>
        <div>
          <h3>Radiation</h3>
          <p data-testid="radiation">
            {radiation.ionizingExamCount ?? 0} exams with ionizing radiation
            {typeof radiation.totalEffectiveDoseMsv === 'number'
              ? `, ${radiation.totalEffectiveDoseMsv.toFixed(1)} mSv recorded`
              : ''}
            {typeof radiation.totalDlpMgyCm === 'number'
              ? `, DLP ${radiation.totalDlpMgyCm.toFixed(0)} mGy·cm`
              : ''}
          </p>
        </div>
        <div>
          <h3>Pending</h3>
          <p>
            Ordered, not yet done:{' '}
            {timeline.pending.ordered.length ? timeline.pending.ordered.map(describe).join('; ') : 'none'}
          </p>
          <p>
            Done, not yet reported:{' '}
            {timeline.pending.unreported.length
              ? timeline.pending.unreported.map(describe).join('; ')
              : 'none'}
          </p>
        </div>
      </div>
      <h3>Tumour burden (RECIST 1.1, derived — needs clinician confirmation)</h3>
      {warnings.length > 0 && (
        <div className="warnings" role="note" data-testid="timeline-warnings">
          <h3>Warnings</h3>
          <ul>
            {warnings.map((w) => (
              <li key={`${w.examId}-${w.code}`}>
                <strong>{describe(w.examId)}</strong>: {w.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      <SumChart points={sumPoints(timeline.exams, baselineId)} />
      <h3>Exams</h3>
      <ol className="exams">
        {timeline.exams.map((exam) => (
          <ExamItem key={exam.examId} patientKey={timeline.patientKey} exam={exam} />
        ))}
      </ol>
      {timeline.removed.length > 0 && (
        <details>
          <summary>Removed from the timeline ({timeline.removed.length})</summary>
          <ul>
            {timeline.removed.map((r) => (
              <li key={r.examId}>
                {r.date?.slice(0, 10) ?? 'no date'} {r.description ?? r.examId}: {r.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
