import { createHash } from 'node:crypto';
import type { AppInfo, BuildInfo, DomainInfo, DynoInfo, FormationInfo, ReleaseInfo } from '@paas/contracts';

/** What the presenters need to know about this installation. */
export interface Site {
  adminEmail: string;
  domain: string;
  routerPort: number;
  apiUrl: string;
}

/** A stable uuid-shaped id for things that have no id of their own yet (accounts, collaborators, domains). */
export function stableId(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
const accountId = (email: string) => stableId(`account:${email}`);
const user = (site: Site, email: string) => ({ id: accountId(email), email });

/** http://<app>.<domain>[:port]/, as Heroku's web_url. */
export function webUrl(site: Pick<Site, 'domain' | 'routerPort'>, name: string): string {
  const port = site.routerPort === 80 ? '' : `:${site.routerPort}`;
  return `http://${name}.${site.domain}${port}/`;
}

export function gitUrl(site: Site, name: string): string {
  return `${site.apiUrl.replace(/\/$/, '')}/${name}.git`;
}

/** An app in Platform API v3 shape. */
export function presentApp(site: Site, a: AppInfo) {
  const stack = { id: '00000000-0000-4000-8000-000000000024', name: a.stack };
  return {
    id: a.id,
    name: a.name,
    created_at: a.createdAt,
    updated_at: a.updatedAt,
    released_at: a.updatedAt,
    git_url: gitUrl(site, a.name),
    web_url: webUrl(site, a.name),
    owner: user(site, a.owner),
    region: { id: '00000000-0000-4000-8000-000000000001', name: a.region },
    stack,
    build_stack: stack,
    maintenance: a.maintenance,
    repo_size: null,
    slug_size: a.slugSize,
    buildpack_provided_description: null,
    create_status: 'complete',
    archived_at: null,
    acm: false,
    internal_routing: null,
    organization: null,
    team: null,
    space: null,
  };
}

/** A release in Platform API v3 shape (config vars are served separately). */
export function presentRelease(site: Site, r: ReleaseInfo) {
  return {
    id: r.id,
    version: r.version,
    description: r.description,
    status: r.status,
    current: r.current,
    // Rolling back needs code that ran: a release with a slug whose release command did not fail.
    eligible_for_rollback: r.slug !== null && r.status !== 'failed',
    created_at: r.createdAt,
    updated_at: r.createdAt,
    slug: r.slug ? { id: r.slug.id } : null,
    user: user(site, r.by),
    app: { id: r.appId, name: r.appName },
    addon_plan_names: [],
    output_stream_url: null,
  };
}

export function presentFormation(app: AppInfo, f: FormationInfo) {
  return {
    id: stableId(`formation:${app.id}:${f.type}`),
    type: f.type,
    quantity: f.quantity,
    size: f.size,
    command: f.command,
    app: { id: app.id, name: app.name },
    created_at: f.updatedAt,
    updated_at: f.updatedAt,
  };
}

export function presentDyno(d: DynoInfo, releaseId: string | null) {
  return {
    id: d.id,
    name: d.name,
    type: d.type,
    command: d.command,
    size: d.size,
    state: d.state,
    app: { id: d.appId, name: d.appName },
    release: { id: releaseId, version: d.releaseVersion },
    attach_url: null,
    created_at: d.createdAt,
    updated_at: d.updatedAt,
  };
}

/** Formation quantities may arrive as strings ("2") from the Heroku CLI. */
export function parseQuantity(q: unknown): number | undefined {
  if (q === undefined || q === null) return undefined;
  const n = typeof q === 'string' && q.trim() !== '' ? Number(q) : q;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new TypeError(`quantity must be a whole number of dynos (0 or more), got ${JSON.stringify(q)}`);
  }
  return n;
}

/** A collaborator (the owner included) in Platform API v3 shape. */
export function presentCollaborator(app: AppInfo, c: { email: string; role: 'owner' | 'collaborator'; createdAt: string }) {
  return {
    id: stableId(`collaborator:${app.id}:${c.email}`),
    app: { id: app.id, name: app.name },
    user: { id: accountId(c.email), email: c.email, federated: false },
    role: c.role,
    permissions: [],
    created_at: c.createdAt,
    updated_at: c.createdAt,
  };
}

/** The app's default hostname, `<app>.<domain>`: what custom domains point to (their DNS target). */
export function defaultHostname(site: Pick<Site, 'domain'>, app: Pick<AppInfo, 'name'>): string {
  return `${app.name}.${site.domain}`;
}

/** The stable id a domain is shown (and may be named) by. */
export function domainId(app: Pick<AppInfo, 'id'>, hostname: string): string {
  return stableId(`domain:${app.id}:${hostname}`);
}

/**
 * A domain in Platform API v3 shape: the app's default one when `custom` is left out, else a custom
 * one, whose DNS target (cname) is the default hostname. status `none`: nothing is provisioned (no ACM).
 */
export function presentDomain(site: Pick<Site, 'domain'>, app: AppInfo, custom?: DomainInfo) {
  const hostname = custom?.hostname ?? defaultHostname(site, app);
  return {
    id: domainId(app, hostname),
    hostname,
    kind: custom ? 'custom' : 'heroku',
    cname: custom ? defaultHostname(site, app) : null,
    status: 'none',
    acm_status: null,
    acm_status_reason: null,
    sni_endpoint: null,
    app: { id: app.id, name: app.name },
    created_at: custom?.createdAt ?? app.createdAt,
    updated_at: custom?.createdAt ?? app.updatedAt,
  };
}

/** A build in Platform API v3 shape (the Build API's fields the CLI reads). */
export function presentBuild(app: AppInfo, b: BuildInfo) {
  return {
    id: b.id,
    status: b.status,
    app: { id: app.id, name: app.name },
    source_blob: { version: b.commit, url: null, checksum: null, version_description: null },
    slug: b.slugId ? { id: b.slugId } : null,
    user: { id: accountId(b.by), email: b.by },
    buildpacks: b.buildpack ? [{ url: b.buildpack, name: b.buildpack }] : [],
    failure_reason: b.reason,
    stack: app.stack,
    output_stream_url: null,
    release: null,
    created_at: b.createdAt,
    updated_at: b.updatedAt,
  };
}
