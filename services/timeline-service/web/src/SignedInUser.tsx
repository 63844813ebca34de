import { useEffect, useState } from 'react';

/** Who signed in, as the service's session says (from the provider's ID token). */
export interface PageSession {
  sub: string;
  name: string | null;
  fhirUser: string | null;
  /** The patient a SMART launch opened the page for. */
  patientKey: string | null;
}

/**
 * The page's session: fetched once; without one the browser goes to sign in (the service runs
 * the OpenID Connect flow and keeps the tokens; the page never sees them).
 */
export function usePageSession(): PageSession | null {
  const [session, setSession] = useState<PageSession | null>(null);
  useEffect(() => {
    let cancelled = false;
    fetch('/session', { headers: { accept: 'application/json' } })
      .then(async (res) => {
        if (res.status === 401) {
          window.location.assign('/login');
          return;
        }
        if (res.ok && !cancelled) {
          setSession((await res.json()) as PageSession);
        }
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, []);
  return session;
}

/** The signed-in user's name and the sign-out button (a form post: the service ends both sessions). */
export function SignedInUser({ session }: { session: PageSession | null }) {
  if (!session) {
    return null;
  }
  return (
    <div className="signed-in">
      <span data-testid="signed-in-user" title={session.fhirUser ?? session.sub}>
        {session.name ?? session.fhirUser ?? session.sub}
      </span>
      <form method="post" action="/logout">
        <button type="submit">Sign out</button>
      </form>
    </div>
  );
}
