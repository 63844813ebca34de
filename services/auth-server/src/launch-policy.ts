import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import { escapeHtml } from './interaction-pages.ts';
import type { LaunchContexts } from './launch-contexts.ts';

/** Whether the authorization request asks for a SMART launch context (EHR or standalone). */
export function asksForLaunch(params: Record<string, unknown>): boolean {
  const scopes = typeof params.scope === 'string' ? params.scope.split(' ') : [];
  return typeof params.launch === 'string' || scopes.includes('launch/patient');
}

/**
 * oidc-provider's default interaction policy plus one consent check: a request for a launch
 * context always comes to the interaction (to resolve the EHR's launch id or let the user pick a
 * patient) even when an earlier grant already covers its scopes; so does a plain sign-in while
 * the session's grant is bound to a launched patient, so that it gets a grant without one.
 */
export function smartLaunchPolicy(launchContexts: LaunchContexts) {
  const policy = interactionPolicy.base();
  policy.get('consent')?.checks.add(
    new interactionPolicy.Check('smart_launch_context', 'the launch context needs resolving', (ctx) => {
      const { oidc } = ctx;
      if (oidc.result?.consent) {
        return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      }
      const previous = oidc.session?.grantIdFor(oidc.client?.clientId ?? '');
      return asksForLaunch(oidc.params ?? {}) || launchContexts.patientOfGrant(previous) !== undefined
        ? interactionPolicy.Check.REQUEST_PROMPT
        : interactionPolicy.Check.NO_NEED_TO_PROMPT;
    }),
  );
  return policy;
}

/** The provider's sign-out confirmation, without the default page's external font. */
export function logoutSource(ctx: KoaContextWithOIDC, form: string): void {
  ctx.type = 'html';
  ctx.body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Sign out</title></head>
<body><main>
<h1>Sign out of oncoimg at ${escapeHtml(ctx.host)}?</h1>
${form}
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button>
</main></body></html>
`;
}
