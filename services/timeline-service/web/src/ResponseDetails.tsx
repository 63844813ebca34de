import type { TimelineExam } from './api.ts';
import { TableHead } from './TableHead.tsx';

type Response = NonNullable<TimelineExam['response']>;

const mm = (value: number | null): string => (value === null ? '—' : `${String(value)} mm`);

/** The rule, the numbers and the lesions counted: targets and non-targets side by side. */
export function ResponseDetails({ response }: { response: Response }) {
  // A timeline stored before these fields existed lacks them until it is rebuilt.
  const stored = response.evidence as Partial<Response['evidence']>;
  const evidence = {
    lesions: stored.lesions ?? [],
    nonTargets: stored.nonTargets ?? [],
    equivocalNewLesions: stored.equivocalNewLesions ?? [],
    targetSelection: stored.targetSelection ?? null,
    confirmedBy: stored.confirmedBy ?? null,
    progressionSince: stored.progressionSince ?? null,
  };
  const best = response.bestOverallResponse;
  return (
    <div className="response-details" data-testid="response-details">
      <p className="derived">{response.label}</p>
      <p data-testid="response-reason">{response.reason}</p>
      {evidence.confirmedBy && (
        <p className="confirmed" data-testid="response-confirmed">
          Confirmed by the assessment of {evidence.confirmedBy}.
        </p>
      )}
      {evidence.progressionSince && (
        <p>
          Progression dates from{' '}
          {evidence.progressionSince.date?.slice(0, 10) ?? evidence.progressionSince.examId}.
        </p>
      )}
      {best && (
        <p className="best-response" data-testid="best-response">
          Best overall response of this line: <strong>{best.category ?? 'not yet assessed'}</strong>
          {best.confirmed ? ' (confirmed)' : best.category ? ' (not confirmed)' : ''}. {best.reason}
        </p>
      )}
      {evidence.targetSelection && <p className="muted">{evidence.targetSelection.description}</p>}
      {evidence.lesions.length > 0 && (
        <table className="lesions" data-testid="target-lesions">
          <caption>Target lesions ({evidence.lesions.length})</caption>
          <TableHead columns={['Lesion', 'Baseline', 'Now', 'State']} />
          <tbody>
            {evidence.lesions.map((l) => (
              <tr key={l.lesionId}>
                <td>
                  {l.display ?? l.lesionId}
                  {l.node ? ' (node, short axis)' : ''}
                </td>
                <td>{mm(l.baselineMm)}</td>
                <td>{mm(l.currentMm)}</td>
                <td>{l.note ? `${l.state}: ${l.note}` : l.state}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {evidence.nonTargets.length > 0 && (
        <table className="lesions" data-testid="non-target-lesions">
          <caption>Non-target lesions ({evidence.nonTargets.length})</caption>
          <TableHead columns={['Lesion', 'Why non-target', 'State']} />
          <tbody>
            {evidence.nonTargets.map((n) => (
              <tr key={n.lesionId}>
                <td>{n.display ?? n.lesionId}</td>
                <td>{n.why}</td>
                <td>{n.state}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {evidence.equivocalNewLesions.length > 0 && (
        <p>
          Equivocal new lesion(s), not progression until confirmed:{' '}
          {evidence.equivocalNewLesions.map((n) => n.display ?? n.lesionId ?? n.source).join(', ')}
        </p>
      )}
    </div>
  );
}
