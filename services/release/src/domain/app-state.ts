import type {
  AppCreated, AppDestroyed, CollaboratorAdded, CollaboratorRemoved, ConfigVarsChanged, DataOf, DomainAdded, DomainRemoved, DynoSize, FormationScaled, MaintenanceChanged, ReleaseCreated, Slug,
  ReleaseStatusChanged,
} from '@paas/contracts';
import type { LogDrainAdded, LogDrainRemoved } from '@paas/contracts';
import type { RepoDeployRequested, RepoLinked, RepoUnlinked } from '@paas/contracts';
import { withRepoDeploy, type RepoLinkRecord } from './repo-links.js';
import type { DrainRecord } from './log-drains.js';
import type { AddonAttached, AddonCreated, AddonDeprovisioned, AddonDetached, AddonProvisioned } from '@paas/contracts';
import { evolveAddons, type AddonRecord, type AttachmentRecord } from './addons.js';

/** The events of an app's stream, as the domain sees them: a type and its payload. */
export type AppEvent =
  | { readonly type: 'AppCreated'; readonly data: DataOf<typeof AppCreated> }
  | { readonly type: 'AppDestroyed'; readonly data: DataOf<typeof AppDestroyed> }
  | { readonly type: 'ConfigVarsChanged'; readonly data: DataOf<typeof ConfigVarsChanged> }
  | { readonly type: 'ReleaseCreated'; readonly data: DataOf<typeof ReleaseCreated> }
  | { readonly type: 'ReleaseStatusChanged'; readonly data: DataOf<typeof ReleaseStatusChanged> }
  | { readonly type: 'FormationScaled'; readonly data: DataOf<typeof FormationScaled> }
  | { readonly type: 'DomainAdded'; readonly data: DataOf<typeof DomainAdded> }
  | { readonly type: 'DomainRemoved'; readonly data: DataOf<typeof DomainRemoved> }
  | { readonly type: 'MaintenanceChanged'; readonly data: DataOf<typeof MaintenanceChanged> }
  | { readonly type: 'LogDrainAdded'; readonly data: DataOf<typeof LogDrainAdded> }
  | { readonly type: 'LogDrainRemoved'; readonly data: DataOf<typeof LogDrainRemoved> }
  | { readonly type: 'CollaboratorAdded'; readonly data: DataOf<typeof CollaboratorAdded> }
  | { readonly type: 'CollaboratorRemoved'; readonly data: DataOf<typeof CollaboratorRemoved> }
  | { readonly type: 'AddonCreated'; readonly data: DataOf<typeof AddonCreated> }
  | { readonly type: 'AddonProvisioned'; readonly data: DataOf<typeof AddonProvisioned> }
  | { readonly type: 'AddonDeprovisioned'; readonly data: DataOf<typeof AddonDeprovisioned> }
  | { readonly type: 'AddonAttached'; readonly data: DataOf<typeof AddonAttached> }
  | { readonly type: 'AddonDetached'; readonly data: DataOf<typeof AddonDetached> }
  | { readonly type: 'RepoLinked'; readonly data: DataOf<typeof RepoLinked> }
  | { readonly type: 'RepoUnlinked'; readonly data: DataOf<typeof RepoUnlinked> }
  | { readonly type: 'RepoDeployRequested'; readonly data: DataOf<typeof RepoDeployRequested> };

export type AppEventType = AppEvent['type'];

export type ReleaseStatus = 'pending' | 'succeeded' | 'failed';

/** What a past release is remembered by: rollbacks copy its slug and config. */
export interface ReleaseRecord {
  readonly id: string;
  readonly version: number;
  readonly slug: Slug | null;
  readonly config: Readonly<Record<string, string>>;
  readonly by: string;
  /** pending while its release command runs (only slugs with a `release:` type have one). */
  readonly status: ReleaseStatus;
}

/** A new release's status: pending when its slug declares a release command, else succeeded at once. */
export function initialReleaseStatus(slug: Pick<Slug, 'processTypes'> | null): ReleaseStatus {
  return slug?.processTypes.release ? 'pending' : 'succeeded';
}

/** A process type's scale as last set by a user (or by the first deploy's web=1). */
export interface Scale {
  readonly quantity: number;
  readonly size: DynoSize;
}

/** The app aggregate, folded from its stream. */
export interface AppState {
  readonly status: 'absent' | 'live' | 'destroyed';
  readonly id: string;
  readonly name: string;
  readonly owner: string;
  /** Events in the stream so far; the expected version of the next append. */
  readonly streamVersion: number;
  readonly releases: readonly ReleaseRecord[];
  /** Config vars of the newest release (what the next release starts from). */
  readonly config: Readonly<Record<string, string>>;
  /** Scale of the current slug's process types that were ever set; the rest run 0 standard-1x. */
  readonly scale: Readonly<Record<string, Scale>>;
  /** Builds already released, so a redelivered SlugBuilt makes no second release. */
  readonly releasedBuilds: readonly string[];
  /** Custom domains (hostnames), oldest first; the default `<app>.<domain>` is not among them. */
  readonly domains: readonly string[];
  /** Maintenance mode: the router answers H80 while it is on. */
  readonly maintenance: boolean;
  /** Collaborators' emails (lowercase), oldest first; the owner is not among them. */
  readonly collaborators: readonly string[];
  /** Log drains, oldest first. */
  readonly logDrains: readonly DrainRecord[];
  /** Add-ons the app owns, in every state, oldest first. */
  readonly addons: readonly AddonRecord[];
  /** Add-ons attached to the app (its own and other apps'), oldest first. */
  readonly attachments: readonly AttachmentRecord[];
  /** The linked repository and branch, if any. */
  readonly repoLink: RepoLinkRecord | null;
  /** Repository deploys not released yet: build id -> branch. */
  readonly repoDeploys: Readonly<Record<string, string>>;
}

/** The state of a stream with no events. */
export function initialState(id: string): AppState {
  return { status: 'absent', id, name: '', owner: '', streamVersion: 0, releases: [], config: {}, scale: {}, releasedBuilds: [], domains: [], maintenance: false, collaborators: [], logDrains: [], addons: [], attachments: [], repoLink: null, repoDeploys: {} };
}

/** The newest release, or undefined before v1: the next release's number follows it. */
export function currentRelease(state: AppState): ReleaseRecord | undefined {
  return state.releases[state.releases.length - 1];
}

/** The newest release that did not fail its release phase: what the app runs, and what config changes build on. */
export function liveRelease(state: AppState): ReleaseRecord | undefined {
  return state.releases.findLast((r) => r.status !== 'failed');
}

/** Applies one event to the state; never fails, because the event already happened. */
export function evolve(state: AppState, event: AppEvent): AppState {
  const s = { ...state, streamVersion: state.streamVersion + 1 };
  switch (event.type) {
    case 'AppCreated':
      return { ...s, status: 'live', name: event.data.name, owner: event.data.owner };
    case 'AppDestroyed':
      return { ...s, status: 'destroyed' };
    case 'ConfigVarsChanged':
      return { ...s, config: applyChanges(s.config, event.data.changes) };
    case 'ReleaseCreated':
      return onRelease(s, event.data);
    case 'ReleaseStatusChanged':
      return { ...s, releases: s.releases.map((r) => (r.version === event.data.version ? { ...r, status: event.data.status } : r)) };
    case 'FormationScaled':
      return { ...s, scale: Object.fromEntries(event.data.formation.map((f) => [f.type, { quantity: f.quantity, size: f.size }])) };
    case 'DomainAdded':
      return { ...s, domains: [...s.domains, event.data.hostname] };
    case 'DomainRemoved':
      return { ...s, domains: s.domains.filter((d) => d !== event.data.hostname) };
    case 'MaintenanceChanged':
      return { ...s, maintenance: event.data.maintenance };
    case 'LogDrainAdded':
      return { ...s, logDrains: [...s.logDrains, { id: event.data.drainId, url: event.data.url, token: event.data.token }] };
    case 'LogDrainRemoved':
      return { ...s, logDrains: s.logDrains.filter((d) => d.id !== event.data.drainId) };
    case 'CollaboratorAdded':
      return { ...s, collaborators: [...s.collaborators, event.data.email] };
    case 'CollaboratorRemoved':
      return { ...s, collaborators: s.collaborators.filter((c) => c !== event.data.email) };
    case 'AddonCreated':
    case 'AddonProvisioned':
    case 'AddonDeprovisioned':
    case 'AddonAttached':
    case 'AddonDetached':
      return evolveAddons(s, event);
    case 'RepoLinked':
      return { ...s, repoLink: { repoUrl: event.data.repoUrl, branch: event.data.branch, autoDeploy: event.data.autoDeploy, hasSecret: event.data.secret !== null } };
    case 'RepoUnlinked':
      return { ...s, repoLink: null };
    case 'RepoDeployRequested':
      return { ...s, repoDeploys: withRepoDeploy(s.repoDeploys, event.data.buildId, event.data.branch) };
  }
}

function onRelease(s: AppState, r: DataOf<typeof ReleaseCreated>): AppState {
  const types = new Set(Object.keys(r.slug?.processTypes ?? {}));
  // A process type the new slug lacks loses its scale, as on Heroku; it starts at 0 if it returns.
  const scale = Object.fromEntries(Object.entries(s.scale).filter(([type]) => types.has(type)));
  const isDeploy = r.buildId !== null && r.rollbackOf === null;
  return {
    ...s,
    releases: [...s.releases, { id: r.releaseId, version: r.version, slug: r.slug, config: r.config, by: r.by, status: initialReleaseStatus(r.slug) }],
    config: r.config,
    scale,
    releasedBuilds: isDeploy ? [...s.releasedBuilds, r.buildId!] : s.releasedBuilds,
    repoDeploys: isDeploy && r.buildId! in s.repoDeploys ? Object.fromEntries(Object.entries(s.repoDeploys).filter(([id]) => id !== r.buildId)) : s.repoDeploys,
  };
}

/** Config after a set of changes: a string sets a var, null removes it. */
export function applyChanges(config: Readonly<Record<string, string>>, changes: Readonly<Record<string, string | null>>): Record<string, string> {
  const out: Record<string, string> = { ...config };
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) delete out[name];
    else out[name] = value;
  }
  return out;
}
