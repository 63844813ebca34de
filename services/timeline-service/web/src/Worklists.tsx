import { useEffect, useState } from 'react';
import { api, type LinkProblem, type UnreportedItem } from './api.ts';
import { TableHead } from './TableHead.tsx';

export function Worklists({
  onOpen,
  refreshKey,
}: {
  onOpen: (patientKey: string) => void;
  refreshKey: number;
}) {
  const [unreported, setUnreported] = useState<UnreportedItem[] | null>(null);
  const [problems, setProblems] = useState<LinkProblem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    Promise.all([api.unreported(), api.linkProblems()])
      .then(([u, p]) => {
        setUnreported(u.items);
        setProblems(p.items);
      })
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [refreshKey]);
  if (error) {
    return <p role="alert">Could not load worklists: {error}</p>;
  }
  return (
    <section aria-labelledby="worklists-heading">
      <h2 id="worklists-heading">Worklists</h2>
      <h3>Performed, not yet reported</h3>
      {unreported === null ? (
        <p>Loading…</p>
      ) : unreported.length === 0 ? (
        <p>Nothing waiting.</p>
      ) : (
        <table>
          <TableHead columns={['Patient', 'Date', 'Exam', 'Waiting']} />
          <tbody>
            {unreported.map((item) => (
              <tr key={item.patientKey + item.examId}>
                <td>
                  <button type="button" className="link" onClick={() => onOpen(item.patientKey)}>
                    {item.patientKey}
                  </button>
                </td>
                <td>{item.date?.slice(0, 10) ?? '—'}</td>
                <td>
                  {item.modality ?? ''} {item.description ?? item.examId}
                </td>
                <td>
                  {item.waitingMs === null
                    ? 'unknown'
                    : `${String(Math.floor(item.waitingMs / 86_400_000))} days`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Unmatched or ambiguous links</h3>
      {problems === null ? (
        <p>Loading…</p>
      ) : problems.length === 0 ? (
        <p>No link problems.</p>
      ) : (
        <ul>
          {problems.map((p) => (
            <li key={`${p.patientKey}-${p.part}-${p.kind}`}>
              <button type="button" className="link" onClick={() => onOpen(p.patientKey)}>
                {p.patientKey}
              </button>{' '}
              {p.kind}: {p.part} ({p.reason})
              {p.kind === 'unmatched'
                ? ` — looked for ${p.lookedFor.map((l) => `${l.kind} ${l.value}`).join(', ') || 'nothing to link by'}`
                : ` — candidates ${p.candidates.map((c) => c.reference).join(', ')}`}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
