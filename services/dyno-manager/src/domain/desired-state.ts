import type { BlobRef, FormationEntry } from '@paas/contracts';

/** The slug of a release, as much of it as running dynos need. */
export interface DesiredSlug {
  readonly id: string;
  readonly blob: BlobRef;
  readonly processTypes: Readonly<Record<string, string>>;
  /** A Docker build's image per process type (heroku.yml), run instead of the slug. */
  readonly images?: Readonly<Record<string, { readonly id: string; readonly tag: string }>>;
}

export interface DesiredRelease {
  readonly version: number;
  /** Null for v1 (and any release without a build): the app exists but runs nothing. */
  readonly slug: DesiredSlug | null;
  readonly config: Readonly<Record<string, string>>;
  /** The release service already recorded its release phase as succeeded (known from its snapshot only). */
  readonly releasePhaseSucceeded?: boolean;
}

/** What one app should run, as the release service last told us. */
export interface DesiredApp {
  readonly appId: string;
  readonly appName: string;
  readonly release: DesiredRelease | null;
  readonly formation: readonly FormationEntry[];
  /** Stream version the formation was read at; older FormationScaled events are ignored. */
  readonly formationVersion: number;
  /** Kept as a tombstone so a late event cannot bring the app back. */
  readonly destroyed: boolean;
  /** What the router needs besides the dynos: maintenance mode and custom domains. */
  readonly routing: DesiredRouting;
}

export interface DesiredRouting {
  readonly maintenance: boolean;
  readonly domains: readonly string[];
  /** Stream version these were read at; older domain or maintenance events are ignored. */
  readonly version: number;
}

export interface Applied {
  readonly app: DesiredApp;
  readonly changed: boolean;
}

function blank(appId: string, appName: string): DesiredApp {
  return { appId, appName, release: null, formation: [], formationVersion: 0, destroyed: false, routing: { maintenance: false, domains: [], version: 0 } };
}

/** Applies a ReleaseCreated: a release older than the known one changes nothing. */
export function applyRelease(app: DesiredApp | undefined, appId: string, appName: string, release: DesiredRelease): Applied {
  const base = app ?? blank(appId, appName);
  if (base.destroyed || (base.release && base.release.version >= release.version)) return { app: base, changed: false };
  return { app: { ...base, appName, release }, changed: true };
}

/** Applies a FormationScaled (the whole formation); one at or below the known stream version changes nothing. */
export function applyFormation(
  app: DesiredApp | undefined, appId: string, appName: string, formation: readonly FormationEntry[], streamVersion: number | undefined,
): Applied {
  const base = app ?? blank(appId, appName);
  if (base.destroyed) return { app: base, changed: false };
  if (streamVersion !== undefined && streamVersion <= base.formationVersion) return { app: base, changed: false };
  const version = streamVersion ?? base.formationVersion;
  return { app: { ...base, appName, formation, formationVersion: version }, changed: true };
}

/** Applies an AppDestroyed: nothing runs any more, whatever arrives later. */
export function applyDestroyed(app: DesiredApp | undefined, appId: string, appName: string): Applied {
  const base = app ?? blank(appId, appName);
  if (base.destroyed) return { app: base, changed: false };
  return { app: { ...base, destroyed: true }, changed: true };
}

/** A change to the app's routing facts (DomainAdded, DomainRemoved, MaintenanceChanged) at a stream version. */
export type RoutingChange =
  | { readonly kind: 'domain-added' | 'domain-removed'; readonly hostname: string }
  | { readonly kind: 'maintenance'; readonly maintenance: boolean };

/** Applies a routing change; one at or below the known stream version changes nothing. */
export function applyRouting(app: DesiredApp | undefined, appId: string, appName: string, change: RoutingChange, streamVersion: number | undefined): Applied {
  const base = app ?? blank(appId, appName);
  const r = base.routing;
  if (base.destroyed || (streamVersion !== undefined && streamVersion <= r.version)) return { app: base, changed: false };
  const version = streamVersion ?? r.version;
  const routing: DesiredRouting = change.kind === 'maintenance'
    ? { ...r, maintenance: change.maintenance, version }
    : { ...r, version, domains: change.kind === 'domain-added'
      ? [...r.domains.filter((d) => d !== change.hostname), change.hostname]
      : r.domains.filter((d) => d !== change.hostname) };
  return { app: { ...base, routing }, changed: true };
}

/** Merges one app of the release service's snapshot, keeping whatever newer events already said. */
export function applySnapshot(
  app: DesiredApp | undefined,
  snap: {
    appId: string; appName: string; release: DesiredRelease; formation: readonly FormationEntry[]; streamVersion: number;
    maintenance: boolean; domains: readonly string[];
  },
): Applied {
  const r = applyRelease(app, snap.appId, snap.appName, snap.release);
  const f = applyFormation(r.app, snap.appId, snap.appName, snap.formation, snap.streamVersion);
  const known = f.app.routing;
  const newer = !f.app.destroyed && snap.streamVersion > known.version;
  const routingChanged = newer && (snap.maintenance !== known.maintenance || snap.domains.join(' ') !== known.domains.join(' '));
  const out = newer ? { ...f.app, routing: { maintenance: snap.maintenance, domains: snap.domains, version: snap.streamVersion } } : f.app;
  return { app: out, changed: r.changed || f.changed || routingChanged || app === undefined };
}

/** The formation entry of a type, if the app has one. */
export function formationOf(app: DesiredApp, type: string): FormationEntry | undefined {
  return app.formation.find((f) => f.type === type);
}
