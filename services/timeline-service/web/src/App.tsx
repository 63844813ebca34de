import { useEffect, useState } from 'react';
import { PatientSearch } from './PatientSearch.tsx';
import { PatientView } from './PatientView.tsx';
import { SignedInUser, usePageSession } from './SignedInUser.tsx';
import { Worklists } from './Worklists.tsx';
import { useTimelineNotices } from './live-updates.ts';

type View = { kind: 'patients' } | { kind: 'patient'; patientKey: string } | { kind: 'worklists' };

/** The view lives in the URL hash, so a timeline can be bookmarked and the back button works. */
function viewFromHash(hash: string): View {
  const patient = /^#\/patients\/(.+)$/.exec(hash);
  if (patient?.[1]) {
    return { kind: 'patient', patientKey: decodeURIComponent(patient[1]) };
  }
  if (hash === '#/worklists') {
    return { kind: 'worklists' };
  }
  return { kind: 'patients' };
}

export function App() {
  const [view, setView] = useState<View>(() => viewFromHash(window.location.hash));
  const { latest, connected } = useTimelineNotices();
  const session = usePageSession();
  const [worklistRefresh, setWorklistRefresh] = useState(0);
  useEffect(() => {
    const onHash = () => setView(viewFromHash(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    if (latest) {
      setWorklistRefresh((n) => n + 1);
    }
  }, [latest]);
  const openPatient = (patientKey: string) => {
    window.location.hash = `#/patients/${encodeURIComponent(patientKey)}`;
  };

  return (
    <>
      <header>
        <h1>Oncology imaging timeline</h1>
        <nav aria-label="Main">
          <a href="#/" aria-current={view.kind !== 'worklists' ? 'page' : undefined}>
            Patients
          </a>
          <a href="#/worklists" aria-current={view.kind === 'worklists' ? 'page' : undefined}>
            Worklists
          </a>
        </nav>
        <span className={`connection ${connected ? 'on' : 'off'}`} data-testid="live-status">
          {connected ? 'Live' : 'Offline'}
        </span>
        <SignedInUser session={session} />
      </header>
      <main>
        {view.kind === 'patients' && <PatientSearch onOpen={openPatient} />}
        {view.kind === 'patient' && (
          <>
            <PatientSearch onOpen={openPatient} />
            <PatientView patientKey={view.patientKey} notice={latest} />
          </>
        )}
        {view.kind === 'worklists' && <Worklists onOpen={openPatient} refreshKey={worklistRefresh} />}
      </main>
      <footer>
        <p>Responses are derived by software (RECIST 1.1) and need clinician confirmation.</p>
      </footer>
    </>
  );
}
