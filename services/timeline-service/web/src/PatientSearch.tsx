import { useState, type SyntheticEvent } from 'react';
import { api, type PatientMatch } from './api.ts';

export function PatientSearch({ onOpen }: { onOpen: (patientKey: string) => void }) {
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<PatientMatch[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function search(event: SyntheticEvent) {
    event.preventDefault();
    if (!query.trim()) {
      return;
    }
    setError(null);
    try {
      setResults((await api.searchPatients(query)).patients);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }

  return (
    <section aria-labelledby="find-patient">
      <h2 id="find-patient">Find a patient</h2>
      <form role="search" onSubmit={(e) => void search(e)} className="search">
        <label htmlFor="patient-query">Identifier or name</label>
        <input
          id="patient-query"
          name="q"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder="e.g. LC-0001 or Smith"
          autoComplete="off"
        />
        <button type="submit">Search</button>
      </form>
      {error && <p role="alert">Search failed: {error}</p>}
      {results && (
        <div aria-live="polite">
          {results.length === 0 ? (
            <p>No patient matches “{query}”.</p>
          ) : (
            <ul className="results">
              {results.map((p) => (
                <li key={p.patientKey}>
                  <button type="button" onClick={() => onOpen(p.patientKey)}>
                    <strong>{p.names[0] ?? p.patientKey}</strong>{' '}
                    <span className="muted">{p.patientKey}</span>{' '}
                    <span className="muted">· {p.examCount} exams</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
