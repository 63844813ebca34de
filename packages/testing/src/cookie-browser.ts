/**
 * What a browser does with cookies and redirects, for tests of sign-in flows over plain fetch:
 * one jar for a host (browsers do not separate cookies by port), redirects left to the caller.
 */
export interface CookieBrowser {
  /** Fetches `url` (relative to `base`) with the jar's cookies, without following redirects. */
  go: (url: string | URL, init?: RequestInit) => Promise<Response>;
  jar: Map<string, string>;
  /** Every Set-Cookie header seen, as sent. */
  setCookies: string[];
}

/** `jar`: cookies to start from and keep (one browser across several flows). */
export function cookieBrowser(base: string, jar = new Map<string, string>()): CookieBrowser {
  const setCookies: string[] = [];
  const go = async (url: string | URL, init: RequestInit = {}) => {
    const response = await fetch(new URL(url, base), {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string> | undefined),
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
      },
    });
    for (const cookie of response.headers.getSetCookie()) {
      setCookies.push(cookie);
      const [pair = ''] = cookie.split(';');
      const at = pair.indexOf('=');
      const value = pair.slice(at + 1);
      // A cleared cookie comes back empty or already expired.
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(cookie)) {
        jar.delete(pair.slice(0, at));
      } else {
        jar.set(pair.slice(0, at), value);
      }
    }
    return response;
  };
  return { go, jar, setCookies };
}
