import type { IncomingMessage, ServerResponse } from 'node:http';

/** The provider's own pages: the login form and the patient picker, without scripts. */

const FORM_LIMIT = 8 * 1024;

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${String(c.charCodeAt(0))};`);

export function loginPage(uid: string, clientId: string, failed: boolean): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Sign in</title></head>
<body><main>
<h1>Sign in to oncoimg</h1>
<p>Client: ${escapeHtml(clientId)}</p>
${failed ? '<p role="alert">Unknown user or wrong password.</p>' : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label>User <input name="username" autocomplete="username" required autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>
</main></body></html>
`;
}

export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let text = '';
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > FORM_LIMIT) {
      throw new Error('form too large');
    }
  }
  return new URLSearchParams(text);
}

export function sendPage(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': "default-src 'none'; img-src data:; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  });
  res.end(html);
}

/** The standalone launch's patient picker, for a user who may see many patients. */
export function patientPickerPage(uid: string, clientId: string, failed: boolean): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Choose a patient</title></head>
<body><main>
<h1>Choose the patient to open</h1>
<p>Client: ${escapeHtml(clientId)}</p>
${failed ? '<p role="alert">That is not a patient identifier.</p>' : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/patient">
<label>Patient identifier (system|value, or Patient/id) <input name="patient" required autofocus></label>
<button type="submit">Open this patient</button>
</form>
</main></body></html>
`;
}
