/**
 * SMART App Launch v2 scopes (`system/ServiceRequest.c`, `patient/*.rs`) and their v1 forms
 * (`.read` = `.rs`, `.write` = `.cud`, `.*` = `.cruds`). Pure: no I/O.
 */

export const SCOPE_CONTEXTS = ['patient', 'user', 'system'] as const;
export type ScopeContext = (typeof SCOPE_CONTEXTS)[number];

/** create, read, update, delete, search: the order v2 requires inside one scope. */
export const INTERACTIONS = ['c', 'r', 'u', 'd', 's'] as const;
export type Interaction = (typeof INTERACTIONS)[number];

export interface ResourceScope {
  context: ScopeContext;
  /** A FHIR resource type, or `*` for every type. */
  resourceType: string;
  interactions: ReadonlySet<Interaction>;
  /** As written in the token. */
  text: string;
}

export interface ScopeGrant {
  resources: readonly ResourceScope[];
  /** Every other scope (`openid`, `launch`, `launch/patient`, `fhirUser`, …), as written. */
  others: ReadonlySet<string>;
}

const V1_PERMISSIONS: Readonly<Partial<Record<string, readonly Interaction[]>>> = {
  read: ['r', 's'],
  write: ['c', 'u', 'd'],
  '*': ['c', 'r', 'u', 'd', 's'],
};

const RESOURCE_SCOPE = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]{0,63})\.([a-z*]+)$/;
const V2_PERMISSIONS = /^c?r?u?d?s?$/;

/**
 * One resource scope, or undefined when `text` is not one. A scope with a `?query` restriction is
 * treated as no resource scope at all: the restriction cannot be enforced here, and granting the
 * unrestricted scope instead would give more than was consented to.
 */
export function parseResourceScope(text: string): ResourceScope | undefined {
  const match = RESOURCE_SCOPE.exec(text);
  if (!match) {
    return undefined;
  }
  const [, context = '', resourceType = '', permissions = ''] = match;
  const v1 = V1_PERMISSIONS[permissions];
  const interactions = v1 ?? parseInteractions(permissions);
  if (!interactions) {
    return undefined;
  }
  return { context: context as ScopeContext, resourceType, interactions: new Set(interactions), text };
}

/** A space-separated `scope` claim (or an array of scopes, as some providers send `scp`). */
export function parseScopes(scope: string | readonly string[] | undefined): ScopeGrant {
  const words = (typeof scope === 'string' ? scope.split(' ') : (scope ?? [])).filter(Boolean);
  const resources: ResourceScope[] = [];
  const others = new Set<string>();
  for (const word of words) {
    const parsed = parseResourceScope(word);
    if (parsed) {
      resources.push(parsed);
    } else if (!RESOURCE_SCOPE.test(word.split('?')[0] ?? '')) {
      others.add(word);
    }
  }
  return { resources, others };
}

export interface AccessQuery {
  resourceType: string;
  interaction: Interaction;
  /** Only scopes of these contexts count (default: all three). */
  contexts?: readonly ScopeContext[];
}

/** The scopes of `grant` that allow `query`. */
export function scopesAllowing(grant: ScopeGrant, query: AccessQuery): ResourceScope[] {
  const contexts = query.contexts ?? SCOPE_CONTEXTS;
  return grant.resources.filter(
    (scope) =>
      contexts.includes(scope.context) &&
      (scope.resourceType === '*' || scope.resourceType === query.resourceType) &&
      scope.interactions.has(query.interaction),
  );
}

/** Whether `grant` allows `interaction` on `resourceType` in any (or the given) context. */
export function can(grant: ScopeGrant, query: AccessQuery): boolean {
  return scopesAllowing(grant, query).length > 0;
}

/**
 * Whether every permission `requested` asks for is allowed by `allowed` in the same context
 * (`system/ServiceRequest.c` is covered by `system/*.cruds`); a scope that is not a resource scope
 * must be allowed as written. The authorization server uses it to cut requests down to a client's
 * or user's allowance.
 */
export function isScopeCovered(requested: string, allowed: ScopeGrant): boolean {
  const scope = parseResourceScope(requested);
  if (!scope) {
    return allowed.others.has(requested);
  }
  return [...scope.interactions].every((interaction) =>
    can(allowed, { resourceType: scope.resourceType, interaction, contexts: [scope.context] }),
  );
}

/** `rs` → ['r', 's']; undefined unless the letters are interactions in v2 order. */
export function parseInteractions(permissions: string): Interaction[] | undefined {
  return permissions !== '' && V2_PERMISSIONS.test(permissions)
    ? (permissions.split('') as Interaction[])
    : undefined;
}

/** The scope to name in a 403: the narrowest one that would have allowed the request. */
export function scopeNeeded(
  resourceType: string,
  interactions: readonly Interaction[],
  context: ScopeContext,
): string {
  return `${context}/${resourceType}.${INTERACTIONS.filter((i) => interactions.includes(i)).join('')}`;
}
