import { APP_NAME_PATTERN } from '@paas/contracts';

/** One `scope` parameter of a token request (Docker token auth): `repository:<name>:push,pull`. */
export interface ScopeRequest {
  readonly type: string;
  readonly name: string;
  readonly actions: readonly string[];
}

/** One entry of a token's `access` claim: what the registry lets the bearer do. */
export interface Access {
  readonly type: string;
  readonly name: string;
  actions: string[];
}

/** Who asks for a token: a user (or the admin) with the apps they may deploy, or the dyno-manager pulling images. */
export type Grantee =
  | { readonly kind: 'user'; readonly admin: boolean; readonly apps: ReadonlySet<string> }
  | { readonly kind: 'puller' };

const PROCESS_TYPE = /^[a-z0-9_-]{1,63}$/;

/**
 * The scopes of a token request. Each is `type:name:actions`; names may hold `:` (a tag-like
 * suffix), so the type ends at the first colon and the actions start after the last. Malformed
 * scopes are dropped: nothing is granted for them.
 */
export function parseScopes(raw: readonly string[]): ScopeRequest[] {
  const out: ScopeRequest[] = [];
  for (const param of raw) {
    // Docker sends one scope per parameter; some clients join several with spaces.
    for (const scope of param.split(' ')) {
      const first = scope.indexOf(':');
      const last = scope.lastIndexOf(':');
      if (first <= 0 || last === first) continue;
      const actions = scope.slice(last + 1).split(',').map((a) => a.trim()).filter((a) => a !== '');
      out.push({ type: scope.slice(0, first), name: scope.slice(first + 1, last), actions });
    }
  }
  return out;
}

/** The app and process type of a repository name `<app>/<process-type>`; null for any other name. */
export function repositoryTarget(name: string): { app: string; type: string } | null {
  const parts = name.split('/');
  if (parts.length !== 2) return null;
  const [app, type] = parts as [string, string];
  return APP_NAME_PATTERN.test(app) && PROCESS_TYPE.test(type) ? { app, type } : null;
}

/** The apps a token request is about (to look up once which of them the caller may deploy). */
export function requestedApps(requests: readonly ScopeRequest[]): string[] {
  return [...new Set(requests.filter((r) => r.type === 'repository').map((r) => repositoryTarget(r.name)?.app).filter((a): a is string => !!a))];
}

/**
 * What a token grants: push and pull on the repositories of apps the caller may deploy; pull only
 * for the dyno-manager; the catalog to the admin alone. Everything else is left out, and the
 * registry then answers "denied".
 */
export function grantAccess(requests: readonly ScopeRequest[], who: Grantee): Access[] {
  const granted: Access[] = [];
  for (const r of requests) {
    const actions = allowedActions(r, who).filter((a) => r.actions.includes(a));
    if (actions.length === 0) continue;
    const same = granted.find((g) => g.type === r.type && g.name === r.name);
    if (same) same.actions = [...new Set([...same.actions, ...actions])];
    else granted.push({ type: r.type, name: r.name, actions });
  }
  return granted;
}

function allowedActions(r: ScopeRequest, who: Grantee): string[] {
  if (r.type === 'registry') return r.name === 'catalog' && who.kind === 'user' && who.admin ? ['*'] : [];
  if (r.type !== 'repository') return [];
  const target = repositoryTarget(r.name);
  if (!target) return [];
  if (who.kind === 'puller') return ['pull'];
  return who.apps.has(target.app) ? ['push', 'pull'] : [];
}
