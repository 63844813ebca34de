import type { IncomingMessage, ServerResponse } from 'node:http';
import { isScopeCovered, parseScopes } from '@oncoimg/auth';
import type Provider from 'oidc-provider';
import { checkPassword, type DevUser } from './dev-users.ts';

/**
 * The provider's interaction pages: a login form for the development users, and consent granted
 * without a page (every development client is first-party), cut down to what the user may have: a
 * scope the user is not allowed is rejected, so the token simply does not carry it.
 */

const FORM_LIMIT = 8 * 1024;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${String(c.charCodeAt(0))};`);

function loginPage(uid: string, clientId: string, failed: boolean): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in</title></head>
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

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let text = '';
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > FORM_LIMIT) {
      throw new Error('form too large');
    }
  }
  return new URLSearchParams(text);
}

function sendPage(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  });
  res.end(html);
}

async function grantConsent(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
  user: DevUser | undefined,
): Promise<void> {
  const interaction = await provider.interactionDetails(req, res);
  const { prompt, params, session, grantId } = interaction;
  const accountId = session?.accountId;
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId, clientId: String(params.client_id) });
  if (!grant) {
    throw new Error('the grant of this interaction is gone');
  }
  const details = prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  if (details.missingOIDCScope) {
    grant.addOIDCScope(details.missingOIDCScope.join(' '));
  }
  if (details.missingOIDCClaims) {
    grant.addOIDCClaims(details.missingOIDCClaims);
  }
  const allowance = parseScopes(user?.allowedScopes ?? '');
  for (const [resource, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
    const allowed = scopes.filter((scope) => isScopeCovered(scope, allowance));
    const refused = scopes.filter((scope) => !allowed.includes(scope));
    if (allowed.length > 0) {
      grant.addResourceScope(resource, allowed.join(' '));
    }
    if (refused.length > 0) {
      grant.rejectResourceScope(resource, refused.join(' '));
    }
  }
  const saved = await grant.save();
  await provider.interactionFinished(
    req,
    res,
    { consent: { grantId: saved } },
    { mergeWithLastSubmission: true },
  );
}

/**
 * Answers `/interaction/{uid}` (GET: the login form, or consent) and `/interaction/{uid}/login`
 * (POST). Resolves false for any other path.
 */
export async function handleInteraction(
  provider: Provider,
  users: readonly DevUser[],
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const match = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/.exec(
    new URL(req.url ?? '/', 'http://x').pathname,
  );
  if (!match) {
    return false;
  }
  const isLogin = match[0].endsWith('/login');
  const interaction = await provider.interactionDetails(req, res);
  const clientId = String(interaction.params.client_id);
  if (!isLogin && req.method === 'GET') {
    if (interaction.prompt.name === 'login') {
      sendPage(res, 200, loginPage(interaction.uid, clientId, false));
    } else {
      await grantConsent(
        provider,
        req,
        res,
        users.find((u) => u.username === interaction.session?.accountId),
      );
    }
    return true;
  }
  if (isLogin && req.method === 'POST') {
    const form = await readForm(req);
    const user = checkPassword(users, form.get('username') ?? '', form.get('password') ?? '');
    if (!user) {
      sendPage(res, 401, loginPage(interaction.uid, clientId, true));
    } else {
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: user.username } },
        { mergeWithLastSubmission: false },
      );
    }
    return true;
  }
  res.writeHead(405, { allow: isLogin ? 'POST' : 'GET' }).end();
  return true;
}
