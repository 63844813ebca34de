import type { IncomingMessage, ServerResponse } from 'node:http';
import { isScopeCovered, parseScopes, patientKeyOfClaim } from '@oncoimg/auth';
import type Provider from 'oidc-provider';
import { OIDC_SCOPES } from './dev-clients.ts';
import { checkPassword, type DevUser } from './dev-users.ts';
import { loginPage, patientPickerPage, readForm, sendPage } from './interaction-pages.ts';
import type { LaunchContexts } from './launch-contexts.ts';
import { asksForLaunch } from './launch-policy.ts';
import { API_RESOURCE } from './provider.ts';

/**
 * The provider's interaction pages: a login form for the development users, the SMART launch
 * context (an EHR's launch id resolved, or a patient picked), and consent granted without a page
 * (every development client is first-party), cut down to what the user may have: a scope the user
 * is not allowed is rejected, so the token simply does not carry it.
 */

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

interface InteractionContext {
  provider: Provider;
  users: readonly DevUser[];
  launchContexts: LaunchContexts;
}

async function grantConsent(
  { provider, launchContexts }: InteractionContext,
  req: IncomingMessage,
  res: ServerResponse,
  { interaction, user, patient }: { interaction: Interaction; user: DevUser | undefined; patient?: string },
): Promise<void> {
  const { prompt, params, session, grantId } = interaction;
  const accountId = session?.accountId;
  // A launch gets a grant of its own, bound to its patient; so does a plain sign-in after one,
  // so that an earlier launch's patient does not stick to it.
  const reuse = grantId !== undefined && !asksForLaunch(params) && !launchContexts.patientOfGrant(grantId);
  const grant = reuse
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
  const requested = (typeof params.scope === 'string' ? params.scope : '').split(' ');
  // A new grant starts empty: it gets every requested scope, not only the ones found missing.
  const oidcScopes = reuse
    ? (details.missingOIDCScope ?? [])
    : requested.filter((scope) => (OIDC_SCOPES as readonly string[]).includes(scope));
  if (oidcScopes.length > 0) {
    grant.addOIDCScope(oidcScopes.join(' '));
  }
  if (details.missingOIDCClaims) {
    grant.addOIDCClaims(details.missingOIDCClaims);
  }
  const allowance = parseScopes(user?.allowedScopes ?? '');
  const resourceScopes = reuse
    ? (details.missingResourceScopes ?? {})
    : { [API_RESOURCE]: requested.filter((scope) => /^(patient|user|system)\//.test(scope)) };
  for (const [resource, scopes] of Object.entries(resourceScopes)) {
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
  if (patient !== undefined) {
    launchContexts.bindGrant(saved, patient);
  }
  await provider.interactionFinished(
    req,
    res,
    { consent: { grantId: saved } },
    { mergeWithLastSubmission: true },
  );
}

type LaunchDecision = { patient?: string } | { pick: true } | { refuse: string };

/** What the request's launch asks for: an EHR launch id, or (standalone) a patient to pick. */
function launchDecision(
  { launchContexts }: InteractionContext,
  params: Record<string, unknown>,
  user: DevUser | undefined,
): LaunchDecision {
  if (typeof params.launch === 'string') {
    const patient = launchContexts.resolve(params.launch);
    if (patient === undefined) {
      return { refuse: 'the launch is unknown or has expired; open the app from the EHR again' };
    }
    if (user?.patient !== undefined && user.patient !== patient) {
      return { refuse: 'this user may not open that patient' };
    }
    return { patient };
  }
  if (asksForLaunch(params)) {
    return user?.patient !== undefined ? { patient: user.patient } : { pick: true };
  }
  return {};
}

async function refuse(provider: Provider, req: IncomingMessage, res: ServerResponse, reason: string) {
  await provider.interactionFinished(
    req,
    res,
    { error: 'access_denied', error_description: reason },
    { mergeWithLastSubmission: false },
  );
}

async function answerGet(context: InteractionContext, req: IncomingMessage, res: ServerResponse) {
  const { provider, users } = context;
  const interaction = await provider.interactionDetails(req, res);
  const clientId = String(interaction.params.client_id);
  if (interaction.prompt.name === 'login') {
    sendPage(res, 200, loginPage(interaction.uid, clientId, false));
    return;
  }
  const user = users.find((u) => u.username === interaction.session?.accountId);
  const decision = launchDecision(context, interaction.params, user);
  if ('refuse' in decision) {
    await refuse(provider, req, res, decision.refuse);
  } else if ('pick' in decision) {
    sendPage(res, 200, patientPickerPage(interaction.uid, clientId, false));
  } else {
    await grantConsent(context, req, res, { interaction, user, ...decision });
  }
}

async function answerPost(
  context: InteractionContext,
  action: 'login' | 'patient',
  req: IncomingMessage,
  res: ServerResponse,
) {
  const { provider, users } = context;
  const interaction = await provider.interactionDetails(req, res);
  const clientId = String(interaction.params.client_id);
  const form = await readForm(req);
  if (action === 'login') {
    const user = checkPassword(users, form.get('username') ?? '', form.get('password') ?? '');
    if (!user) {
      sendPage(res, 401, loginPage(interaction.uid, clientId, true));
      return;
    }
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: user.username } },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  const user = users.find((u) => u.username === interaction.session?.accountId);
  // Only a standalone launch by a user who may see many patients picks one here.
  if (
    interaction.prompt.name !== 'consent' ||
    !('pick' in launchDecision(context, interaction.params, user))
  ) {
    await refuse(provider, req, res, 'no patient is to be picked in this sign-in');
    return;
  }
  const patient = patientKeyOfClaim(form.get('patient')?.trim());
  if (patient === undefined) {
    sendPage(res, 400, patientPickerPage(interaction.uid, clientId, true));
    return;
  }
  await grantConsent(context, req, res, { interaction, user, patient });
}

/**
 * Answers `/interaction/{uid}` (GET: the login form, the patient picker, or consent),
 * `/interaction/{uid}/login` and `/interaction/{uid}/patient` (POST). Resolves false for any
 * other path.
 */
export async function handleInteraction(
  context: InteractionContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const match = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|patient))?$/.exec(
    new URL(req.url ?? '/', 'http://x').pathname,
  );
  if (!match) {
    return false;
  }
  const action = match[2] as 'login' | 'patient' | undefined;
  if (action === undefined && req.method === 'GET') {
    await answerGet(context, req, res);
  } else if (action !== undefined && req.method === 'POST') {
    await answerPost(context, action, req, res);
  } else {
    res.writeHead(405, { allow: action ? 'POST' : 'GET' }).end();
  }
  return true;
}
