import type {
  AccountCreated, ApiTokenIssued, ApiTokenRevoked, CollaboratorAdded, CollaboratorRemoved, AppCreated, ConfigVarsChanged, DataOf, DomainAdded, DomainRemoved, Envelope, FormationScaled, MaintenanceChanged, ReleaseCreated,
  ReleaseStatusChanged,
} from '@paas/contracts';
import type { LogDrainAdded, LogDrainRemoved } from '@paas/contracts';
import type { RepoLinked } from '@paas/contracts';
import type { Database, Kysely } from '@paas/db';
import { initialReleaseStatus } from '../domain/app-state.js';
import { DEFAULT_SIZE } from '../domain/formation.js';
import { projectAddon } from './addon-projector.js';

type Db = Kysely<Database>;

/**
 * Applies one event of the log to the query tables (apps, releases, config_vars, formation, domains,
 * collaborators; accounts and api_tokens for account streams).
 * Runs inside the append's transaction, and again for every event when the tables are rebuilt,
 * so both paths produce the same rows. Times come from the event, never from the clock.
 */
export async function project(db: Db, e: Envelope): Promise<void> {
  const at = new Date(e.occurredAt);
  if (await projectAccount(db, e, at)) return;
  switch (e.type) {
    case 'AppCreated':
      await onAppCreated(db, e as Envelope<'AppCreated', DataOf<typeof AppCreated>>, at);
      return;
    case 'AppDestroyed':
      // Releases, config, formation and domains go with the row (on delete cascade); the name and hostnames are free again.
      await db.deleteFrom('apps').where('id', '=', e.appId).execute();
      return;
    case 'ConfigVarsChanged':
      await onConfigVarsChanged(db, e.appId, e.data as DataOf<typeof ConfigVarsChanged>);
      break;
    case 'ReleaseCreated':
      await onReleaseCreated(db, e.appId, e.data as DataOf<typeof ReleaseCreated>, at);
      break;
    case 'ReleaseStatusChanged':
      await onReleaseStatusChanged(db, e.appId, e.data as DataOf<typeof ReleaseStatusChanged>);
      break;
    case 'FormationScaled':
      await onFormationScaled(db, e.appId, e.data as DataOf<typeof FormationScaled>, at);
      break;
    case 'DomainAdded':
      await onDomainAdded(db, e.appId, e.data as DataOf<typeof DomainAdded>, at);
      break;
    case 'DomainRemoved':
      await db.deleteFrom('domains').where('hostname', '=', (e.data as DataOf<typeof DomainRemoved>).hostname).where('app_id', '=', e.appId).execute();
      break;
    case 'MaintenanceChanged':
      await db.updateTable('apps').set({ maintenance: (e.data as DataOf<typeof MaintenanceChanged>).maintenance }).where('id', '=', e.appId).execute();
      break;
    case 'CollaboratorAdded':
      await db.insertInto('collaborators').values({ app_id: e.appId, email: (e.data as DataOf<typeof CollaboratorAdded>).email, created_at: at }).execute();
      break;
    case 'CollaboratorRemoved':
      await db.deleteFrom('collaborators').where('app_id', '=', e.appId).where('email', '=', (e.data as DataOf<typeof CollaboratorRemoved>).email).execute();
      break;
    case 'LogDrainAdded': {
      const d = e.data as DataOf<typeof LogDrainAdded>;
      await db.insertInto('log_drains').values({ id: d.drainId, app_id: e.appId, url: d.url, token: d.token, created_at: at, updated_at: at }).execute();
      break;
    }
    case 'LogDrainRemoved':
      await db.deleteFrom('log_drains').where('id', '=', (e.data as DataOf<typeof LogDrainRemoved>).drainId).execute();
      break;
    case 'AddonCreated':
    case 'AddonProvisioned':
    case 'AddonDeprovisioned':
    case 'AddonAttached':
    case 'AddonDetached':
      await projectAddon(db, e, at);
      break;
    case 'RepoLinked':
      await onRepoLinked(db, e.appId, e.data as DataOf<typeof RepoLinked>, at);
      break;
    case 'RepoUnlinked':
      await db.deleteFrom('repo_links').where('app_id', '=', e.appId).execute();
      break;
    case 'RepoDeployRequested':
      break; // kept in the app's stream only (its release reads it)
    default:
      return; // not an app event: nothing to project
  }
  await db.updateTable('apps').set({ stream_version: e.streamVersion!, updated_at: at }).where('id', '=', e.appId).execute();
}

async function onAppCreated(db: Db, e: Envelope<'AppCreated', DataOf<typeof AppCreated>>, at: Date): Promise<void> {
  await db.insertInto('apps').values({
    id: e.appId, name: e.data.name, stack: e.data.stack, region: e.data.region, owner: e.data.owner,
    created_at: at, updated_at: at, release_version: 0, slug_size: null, stream_version: e.streamVersion!, maintenance: false,
  }).execute();
}

async function onConfigVarsChanged(db: Db, appId: string, d: DataOf<typeof ConfigVarsChanged>): Promise<void> {
  for (const [name, value] of Object.entries(d.changes)) {
    if (value === null) {
      await db.deleteFrom('config_vars').where('app_id', '=', appId).where('name', '=', name).execute();
    } else {
      await db.insertInto('config_vars').values({ app_id: appId, name, value })
        .onConflict((oc) => oc.columns(['app_id', 'name']).doUpdateSet({ value })).execute();
    }
  }
}

async function onReleaseCreated(db: Db, appId: string, r: DataOf<typeof ReleaseCreated>, at: Date): Promise<void> {
  await db.insertInto('releases').values({
    id: r.releaseId, app_id: appId, version: r.version, description: r.description, created_by: r.by, created_at: at,
    slug: (r.slug ? JSON.stringify(r.slug) : null) as string, config: JSON.stringify(r.config), build_id: r.buildId,
    status: initialReleaseStatus(r.slug),
  }).execute();
  await db.updateTable('apps').set({ release_version: r.version, slug_size: r.slug?.blob.size ?? null }).where('id', '=', appId).execute();
  // The config in force is the release's, whatever changed it (a config change or a rollback).
  await db.deleteFrom('config_vars').where('app_id', '=', appId).execute();
  const vars = Object.entries(r.config).map(([name, value]) => ({ app_id: appId, name, value }));
  if (vars.length > 0) await db.insertInto('config_vars').values(vars).execute();
  await followSlug(db, appId, r.slug?.processTypes ?? {}, at);
}

/** A failed release is never current: the app's release goes back to the newest one that did not fail. */
async function onReleaseStatusChanged(db: Db, appId: string, d: DataOf<typeof ReleaseStatusChanged>): Promise<void> {
  await db.updateTable('releases').set({ status: d.status }).where('app_id', '=', appId).where('version', '=', d.version).execute();
  if (d.status !== 'failed') return;
  const live = await db.selectFrom('releases').select(['version', 'slug']).where('app_id', '=', appId).where('status', '!=', 'failed')
    .orderBy('version', 'desc').limit(1).executeTakeFirst();
  if (!live) return;
  const size = (live.slug as { blob?: { size?: number } } | null)?.blob?.size ?? null;
  await db.updateTable('apps').set({ release_version: live.version, slug_size: size }).where('id', '=', appId).execute();
}

/** Formation rows follow the release's process types: new types at 0, dropped ones removed. */
async function followSlug(db: Db, appId: string, processTypes: Record<string, string>, at: Date): Promise<void> {
  const types = Object.keys(processTypes);
  let stale = db.deleteFrom('formation').where('app_id', '=', appId);
  if (types.length > 0) stale = stale.where('type', 'not in', types);
  await stale.execute();
  for (const [type, command] of Object.entries(processTypes)) {
    await db.insertInto('formation')
      .values({ app_id: appId, type, quantity: 0, size: DEFAULT_SIZE, command, updated_at: at })
      .onConflict((oc) => oc.columns(['app_id', 'type']).doUpdateSet({ command }))
      .execute();
  }
}

async function onFormationScaled(db: Db, appId: string, d: DataOf<typeof FormationScaled>, at: Date): Promise<void> {
  for (const f of d.changed) {
    await db.updateTable('formation').set({ quantity: f.quantity, size: f.size, updated_at: at })
      .where('app_id', '=', appId).where('type', '=', f.type).execute();
  }
}

/** One link per app: a new one replaces the previous, keeping when it was first made. */
async function onRepoLinked(db: Db, appId: string, d: DataOf<typeof RepoLinked>, at: Date): Promise<void> {
  const row = { repo_url: d.repoUrl, branch: d.branch, auto_deploy: d.autoDeploy, secret: d.secret, created_by: d.by, updated_at: at };
  await db.insertInto('repo_links').values({ app_id: appId, ...row, created_at: at })
    .onConflict((oc) => oc.column('app_id').doUpdateSet(row)).execute();
}

/** A hostname another app holds fails the primary key: the event store turns that into a conflict. */
async function onDomainAdded(db: Db, appId: string, d: DataOf<typeof DomainAdded>, at: Date): Promise<void> {
  await db.insertInto('domains').values({ hostname: d.hostname, app_id: appId, created_at: at }).execute();
}

/** Projects an account stream's event (appId = account id); false when the event is not one. */
async function projectAccount(db: Db, e: Envelope, at: Date): Promise<boolean> {
  switch (e.type) {
    case 'AccountCreated': {
      const d = e.data as DataOf<typeof AccountCreated>;
      // A taken email fails accounts_email_key: the event store turns that into a conflict.
      await db.insertInto('accounts').values({ id: e.appId, email: d.email, password_hash: d.passwordHash, created_at: at }).execute();
      return true;
    }
    case 'ApiTokenIssued': {
      const d = e.data as DataOf<typeof ApiTokenIssued>;
      await db.insertInto('api_tokens').values({
        id: d.tokenId, account_id: e.appId, token_hash: d.tokenHash, description: d.description, created_at: at,
        expires_at: d.expiresAt === null ? null : new Date(d.expiresAt), revoked_at: null,
      }).execute();
      return true;
    }
    case 'ApiTokenRevoked':
      await db.updateTable('api_tokens').set({ revoked_at: at })
        .where('id', '=', (e.data as DataOf<typeof ApiTokenRevoked>).tokenId).where('account_id', '=', e.appId).execute();
      return true;
    default:
      return false;
  }
}
