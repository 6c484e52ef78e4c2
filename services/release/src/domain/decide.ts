import { APP_NAME_PATTERN, conflict, dynoSize, illegalState, invalid, notFound, type DynoSize, type Slug } from '@paas/contracts';
import { applyChanges, currentRelease, evolve, liveRelease, type AppEvent, type AppState, type Scale } from './app-state.js';
import { configDescription, deployDescription, INITIAL_RELEASE, rollbackDescription } from './descriptions.js';
import { addCollaborator, removeCollaborator } from './collaborators.js';
import { addDomain, removeDomain } from './domains.js';
import { addLogDrain, removeLogDrain } from './log-drains.js';
import { DEFAULT_SIZE, formationOf } from './formation.js';
import { decideAddon, withAttachedVars, type AddonCommand } from './addons.js';
import { releaseImages, type ReleaseImagesCommand } from './container-release.js';
import { linkRepo, recordRepoDeploy, unlinkRepo, type LinkRepoCommand, type RecordRepoDeployCommand } from './repo-links.js';

export const STACK = 'heroku-24';
export const REGION = 'us';

export interface FormationUpdate {
  readonly type: string;
  readonly quantity?: number;
  readonly size?: DynoSize;
}

/** What a user (or the builder, through SlugBuilt) asks of an app. */
export type AppCommand =
  | { readonly type: 'CreateApp'; readonly name: string; readonly by: string }
  | { readonly type: 'DestroyApp'; readonly by: string }
  | { readonly type: 'SetConfigVars'; readonly changes: Readonly<Record<string, string | null>>; readonly by: string }
  | { readonly type: 'ScaleFormation'; readonly updates: readonly FormationUpdate[]; readonly by: string }
  | { readonly type: 'Rollback'; readonly version: number; readonly by: string }
  | { readonly type: 'RecordSlug'; readonly buildId: string; readonly slug: Slug }
  | ReleaseImagesCommand
  | { readonly type: 'RecordReleasePhase'; readonly version: number; readonly succeeded: boolean; readonly exitCode: number | null; readonly dyno: string }
  | { readonly type: 'AddDomain'; readonly hostname: string; readonly by: string }
  | { readonly type: 'RemoveDomain'; readonly hostname: string; readonly by: string }
  | { readonly type: 'SetMaintenance'; readonly maintenance: boolean; readonly by: string }
  | { readonly type: 'AddCollaborator'; readonly email: string; readonly accountExists: boolean; readonly by: string }
  | { readonly type: 'RemoveCollaborator'; readonly email: string; readonly by: string }
  | { readonly type: 'AddLogDrain'; readonly url: string; readonly by: string }
  | { readonly type: 'RemoveLogDrain'; readonly drain: string; readonly by: string }
  | LinkRepoCommand
  | { readonly type: 'UnlinkRepo'; readonly by: string }
  | RecordRepoDeployCommand
  | AddonCommand;

/** What decide needs from outside besides the state: fresh ids (release ids), so it stays pure. */
export interface DecideContext {
  newId(): string;
}

/** Decides which events a command causes on an app; throws a typed error when it is not allowed. */
export function decide(command: AppCommand, state: AppState, ctx: DecideContext): AppEvent[] {
  if (command.type === 'CreateApp') return createApp(command, state, ctx);
  if (state.status !== 'live') throw notFound("Couldn't find that app.");
  switch (command.type) {
    case 'DestroyApp':
      return [{ type: 'AppDestroyed', data: { name: state.name, by: command.by } }];
    case 'SetConfigVars':
      return setConfigVars(command.changes, command.by, state, ctx);
    case 'ScaleFormation':
      return scaleFormation(command.updates, command.by, state);
    case 'Rollback':
      return rollback(command.version, command.by, state, ctx);
    case 'RecordSlug':
      return recordSlug(command.buildId, command.slug, state, ctx);
    case 'ReleaseImages':
      return withFirstScale(state, release(state, ctx, releaseImages(command, state, ctx)), command.by);
    case 'RecordReleasePhase':
      return recordReleasePhase(command, state);
    case 'AddDomain':
      return addDomain(command.hostname, command.by, state);
    case 'RemoveDomain':
      return removeDomain(command.hostname, command.by, state);
    case 'SetMaintenance':
      // Asking for the mode the app is already in changes nothing (and records nothing).
      return command.maintenance === state.maintenance ? [] : [{ type: 'MaintenanceChanged', data: { appName: state.name, maintenance: command.maintenance, by: command.by } }];
    case 'AddCollaborator':
      return addCollaborator(command.email, command.accountExists, command.by, state);
    case 'RemoveCollaborator':
      return removeCollaborator(command.email, command.by, state);
    case 'AddLogDrain':
      return addLogDrain(command.url, command.by, state, () => ctx.newId());
    case 'RemoveLogDrain':
      return removeLogDrain(command.drain, command.by, state);
    case 'LinkRepo':
      return linkRepo(command, state);
    case 'UnlinkRepo':
      return unlinkRepo(command.by, state);
    case 'RecordRepoDeploy':
      return recordRepoDeploy(command, state);
    default:
      return decideAddon(command, state, ctx);
  }
}

function createApp(c: { name: string; by: string }, state: AppState, ctx: DecideContext): AppEvent[] {
  if (state.status !== 'absent') throw conflict(`App ${state.id} already exists.`);
  if (!APP_NAME_PATTERN.test(c.name)) {
    throw invalid(`Name "${c.name}" is invalid: it must start with a letter and can only contain lowercase letters, digits and dashes (3-30 characters).`);
  }
  return [
    { type: 'AppCreated', data: { name: c.name, stack: STACK, region: REGION, owner: c.by } },
    release(state, ctx, { appName: c.name, version: 1, description: INITIAL_RELEASE, slug: null, config: {}, by: c.by }),
  ];
}

function setConfigVars(changes: Readonly<Record<string, string | null>>, by: string, state: AppState, ctx: DecideContext): AppEvent[] {
  for (const name of Object.keys(changes)) {
    if (name === '' || name.includes('=') || name.includes('\0')) {
      throw invalid(`Config var name "${name}" is invalid: it must not be empty or contain "=". Nothing was changed.`);
    }
  }
  // Only real changes count: setting the same value or removing a missing var makes no release.
  const effective = Object.fromEntries(Object.entries(changes).filter(([name, value]) =>
    value === null ? name in state.config : state.config[name] !== value));
  if (Object.keys(effective).length === 0) return [];
  return [
    { type: 'ConfigVarsChanged', data: { appName: state.name, changes: effective, by } },
    release(state, ctx, {
      description: configDescription(effective), slug: liveRelease(state)?.slug ?? null,
      config: applyChanges(state.config, effective), by,
    }),
  ];
}

function scaleFormation(updates: readonly FormationUpdate[], by: string, state: AppState): AppEvent[] {
  const slug = liveRelease(state)?.slug ?? null;
  const scale: Record<string, Scale> = { ...state.scale };
  for (const u of updates) {
    if (!slug || !(u.type in slug.processTypes)) throw notFound(`Couldn't find that process type (${u.type}).`);
    if (u.quantity !== undefined && (!Number.isInteger(u.quantity) || u.quantity < 0)) {
      throw invalid(`Quantity for ${u.type} must be a whole number of 0 or more (got ${u.quantity}).`);
    }
    if (u.size !== undefined && !dynoSize.options.includes(u.size)) {
      throw invalid(`Size "${u.size}" for ${u.type} is not one of ${dynoSize.options.join(', ')}.`);
    }
    const was = scale[u.type] ?? { quantity: 0, size: DEFAULT_SIZE };
    scale[u.type] = { quantity: u.quantity ?? was.quantity, size: u.size ?? was.size };
  }
  const before = formationOf(slug, state.scale);
  const formation = formationOf(slug, scale);
  const changed = formation.filter((f, i) => f.quantity !== before[i]!.quantity || f.size !== before[i]!.size);
  if (changed.length === 0) return [];
  return [{ type: 'FormationScaled', data: { appName: state.name, formation, changed, by } }];
}

function rollback(version: number, by: string, state: AppState, ctx: DecideContext): AppEvent[] {
  const target = state.releases.find((r) => r.version === version);
  if (!target) throw notFound(`Couldn't find that release (v${version}).`);
  if (!target.slug) throw illegalState(`Cannot roll back to v${version}: it has no slug. Roll back to a release made by a deploy.`);
  if (target.status === 'failed') {
    throw illegalState(`Cannot roll back to v${version}: its release command failed, so it was never deployed. Roll back to a release that succeeded (\`heroku releases\` shows their status).`);
  }
  return [release(state, ctx, {
    description: rollbackDescription(version), slug: target.slug, config: withAttachedVars(target.config, state), by, rollbackOf: version,
  })];
}

function recordSlug(buildId: string, slug: Slug, state: AppState, ctx: DecideContext): AppEvent[] {
  if (state.releasedBuilds.includes(buildId)) return []; // SlugBuilt redelivered: already released
  // Builds carry no author yet, so deploys are credited to the app's owner.
  const deploy = release(state, ctx, {
    description: deployDescription(slug.commit, state.repoDeploys[buildId]), slug, config: state.config, by: state.owner, buildId,
  });
  return withFirstScale(state, deploy, state.owner);
}

/**
 * A deploy release, followed by the scale it starts with: web=1 on the first release with a web
 * type, and app.json's formation on the app's first deploy.
 */
function withFirstScale(state: AppState, deploy: AppEvent & { type: 'ReleaseCreated' }, by: string): AppEvent[] {
  const slug = deploy.data.slug!;
  const firstWeb = 'web' in slug.processTypes && !state.releases.some((r) => r.slug && 'web' in r.slug.processTypes);
  // app.json's formation (from the build) sets the scale of the app's first deploy.
  const firstDeploy = !state.releases.some((r) => r.slug);
  const fromAppJson = firstDeploy ? Object.entries(slug.formation ?? {}).filter(([type]) => type in slug.processTypes) : [];
  if (!firstWeb && fromAppJson.length === 0) return [deploy];
  const after = evolve(state, deploy);
  const changed = fromAppJson.map(([type, f]) => ({ type, quantity: f.quantity, size: f.size ?? after.scale[type]?.size ?? DEFAULT_SIZE }));
  if (firstWeb && !changed.some((c) => c.type === 'web')) changed.push({ type: 'web', quantity: 1, size: after.scale.web?.size ?? DEFAULT_SIZE });
  const formation = formationOf(slug, { ...after.scale, ...Object.fromEntries(changed.map((c) => [c.type, c])) });
  return [deploy, { type: 'FormationScaled', data: { appName: state.name, formation, changed, by } }];
}

/**
 * Records how a release's release phase ended. Only a pending release changes: a redelivered
 * ReleasePhaseFinished, or one for a release that never waited on it, records nothing.
 */
function recordReleasePhase(c: { version: number; succeeded: boolean; exitCode: number | null; dyno: string }, state: AppState): AppEvent[] {
  const r = state.releases.find((x) => x.version === c.version);
  if (!r || r.status !== 'pending') return [];
  return [{
    type: 'ReleaseStatusChanged',
    data: { appName: state.name, releaseId: r.id, version: r.version, status: c.succeeded ? 'succeeded' : 'failed', exitCode: c.exitCode, dyno: c.dyno, by: r.by },
  }];
}

interface NewRelease {
  appName?: string;
  version?: number;
  description: string;
  slug: Slug | null;
  config: Readonly<Record<string, string>>;
  by: string;
  buildId?: string;
  rollbackOf?: number;
}

/** The next release of the app; its number follows the newest one. */
export function release(state: AppState, ctx: DecideContext, r: NewRelease): AppEvent & { type: 'ReleaseCreated' } {
  return {
    type: 'ReleaseCreated',
    data: {
      appName: r.appName ?? state.name,
      releaseId: ctx.newId(),
      version: r.version ?? (currentRelease(state)?.version ?? 0) + 1,
      description: r.description,
      slug: r.slug,
      config: { ...r.config },
      by: r.by,
      buildId: r.buildId ?? null,
      rollbackOf: r.rollbackOf ?? null,
    },
  };
}
