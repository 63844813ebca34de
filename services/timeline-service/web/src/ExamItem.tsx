import { useState } from 'react';
import { api, responseOf, type ExamDetails, type TimelineExam } from './api.ts';
import { MODALITY_NOTES } from './modality-notes.ts';
import { ResponseDetails } from './ResponseDetails.tsx';

const CATEGORY_NAMES: Record<string, string> = {
  CR: 'complete response',
  PR: 'partial response',
  SD: 'stable disease',
  PD: 'progressive disease',
  NE: 'not evaluable',
  'non-CR/non-PD': 'non-target disease neither gone nor progressed',
};

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() ? value : null;
}

function ReportDetails({ resource }: { resource: Record<string, unknown> }) {
  const conclusion = text(resource.conclusion);
  const presented = Array.isArray(resource.presentedForm)
    ? (resource.presentedForm as { data?: string; contentType?: string }[])
    : [];
  const reportText = presented
    .filter((p) => p.data && (p.contentType ?? '').startsWith('text/'))
    .map((p) => {
      try {
        return new TextDecoder().decode(Uint8Array.from(atob(p.data ?? ''), (c) => c.charCodeAt(0)));
      } catch {
        return '';
      }
    })
    .join('\n');
  const narrative = (resource.text as { div?: string } | undefined)?.div?.replace(/<[^>]+>/g, ' ').trim();
  return (
    <div className="report">
      <p>
        <strong>Report</strong> {String(resource.id)} · status {String(resource.status)}
      </p>
      {conclusion && (
        <p>
          <strong>Conclusion:</strong> {conclusion}
        </p>
      )}
      {(reportText || narrative) && <pre className="report-text">{reportText || narrative}</pre>}
    </div>
  );
}

export function ExamItem({ patientKey, exam }: { patientKey: string; exam: TimelineExam }) {
  const [details, setDetails] = useState<ExamDetails | null>(null);
  const [error, setError] = useState<string | null>(null);
  const response = responseOf(exam);
  // A timeline stored before warnings existed has none until it is rebuilt.
  const warnings = (exam as Partial<TimelineExam>).warnings ?? [];
  const confirmed = Boolean(
    (exam.response?.evidence as { confirmedBy?: string | null } | undefined)?.confirmedBy,
  );
  const note = exam.modality ? MODALITY_NOTES[exam.modality] : null;

  async function load(open: boolean) {
    if (!open || details) {
      return;
    }
    try {
      setDetails(await api.exam(patientKey, exam.examId));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }

  return (
    <li
      className={`exam ${exam.planning ? 'planning' : ''} ${exam.isBaseline ? 'baseline' : ''}`}
      data-exam-id={exam.examId}
    >
      <details onToggle={(e) => void load(e.currentTarget.open)}>
        <summary>
          <time dateTime={exam.date ?? undefined}>{exam.date?.slice(0, 10) ?? 'no date'}</time>{' '}
          <span className="modality">{exam.modality ?? '—'}</span>{' '}
          <span>{exam.description ?? 'Imaging exam'}</span>{' '}
          <span className={`badge purpose-${exam.purpose}`}>{exam.purpose}</span>{' '}
          {exam.isBaseline && <span className="badge baseline-badge">Baseline</span>}
          {exam.planning && <span className="badge planning-badge">Planning — not diagnostic</span>}
          {exam.daysSinceBaseline !== null && !exam.isBaseline && (
            <span className="days">day {exam.daysSinceBaseline} since baseline</span>
          )}
          {response && !exam.isBaseline && (
            <span className={`response response-${response.category ?? 'none'}`}>
              {response.words}
              {response.category
                ? ` (${response.category}${CATEGORY_NAMES[response.category] ? `, ${CATEGORY_NAMES[response.category]}` : ''})`
                : ''}
              {response.percentFromBaseline !== null
                ? ` · ${response.percentFromBaseline > 0 ? '+' : ''}${response.percentFromBaseline.toFixed(1)} % from baseline`
                : ''}
            </span>
          )}
          {confirmed && <span className="badge confirmed-badge">confirmed</span>}
          {warnings.length > 0 && (
            <span className="badge warning-badge" data-testid="exam-warning-badge">
              ⚠ {warnings.map((w) => w.code).join(', ')}
            </span>
          )}
          <span className="status">{exam.status}</span>
        </summary>
        <div className="exam-details">
          {note && (
            <p className="patient-note">
              <strong>{note.name}:</strong> {note.note}
            </p>
          )}
          {warnings.map((w) => (
            <p key={w.code} className="warning" role="note" data-testid="exam-warning">
              <strong>⚠ {w.code}:</strong> {w.message}
            </p>
          ))}
          {exam.response ? (
            <ResponseDetails response={exam.response} />
          ) : (
            response?.label && <p className="derived">{response.label}</p>
          )}
          <dl>
            <dt>Order</dt>
            <dd>{exam.order ? `${exam.order.reference} (${exam.order.status})` : 'none received'}</dd>
            <dt>Study</dt>
            <dd>
              {exam.study
                ? `${exam.study.reference} (${exam.study.status}), UID ${exam.studyUid ?? '—'}`
                : 'none received'}
            </dd>
            <dt>Reports</dt>
            <dd>
              {exam.reports.length
                ? exam.reports.map((r) => `${r.reference} (${r.status})`).join(', ')
                : 'none yet'}
            </dd>
            <dt>Accession</dt>
            <dd>{exam.accessionNumbers.map((a) => a.value).join(', ') || '—'}</dd>
          </dl>
          <h4>Why these belong together</h4>
          {exam.links.length === 0 ? (
            <p>Nothing linked yet.</p>
          ) : (
            <ul>
              {exam.links.map((link) => (
                <li key={`${link.from}-${link.to}`}>
                  {link.from} → {link.to}:{' '}
                  {link.evidence
                    .map((ev) => `${ev.kind} ${ev.value}${ev.scope ? ` (scoped by ${ev.scope})` : ''}`)
                    .join('; ')}
                </li>
              ))}
            </ul>
          )}
          {exam.unmatched.length > 0 && (
            <p className="problem">
              Unmatched: {exam.unmatched.map((u) => `${u.part} (${u.reason})`).join(', ')}
            </p>
          )}
          {exam.ambiguous.length > 0 && (
            <p className="problem">
              Ambiguous: {exam.ambiguous.map((a) => `${a.part} (${a.reason})`).join(', ')}
            </p>
          )}
          {error && <p role="alert">Could not load details: {error}</p>}
          {details?.resources
            .filter((r) => r.resourceType === 'DiagnosticReport')
            .map((r) => (
              <ReportDetails key={String(r.id)} resource={r} />
            ))}
        </div>
      </details>
    </li>
  );
}
