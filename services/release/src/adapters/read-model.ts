import { Inject, Injectable } from '@nestjs/common';
import {
  notFound, type AppInfo, type DesiredApp, type DomainInfo, type DynoSize, type FormationInfo, type ReleaseInfo, type Slug,
} from '@paas/contracts';
import type { AppsTable, Database, Kysely } from '@paas/db';
import { DB } from '../tokens.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const VERSION = /^v?(\d{1,9})$/i;

type AppRow = AppsTable;

/** Queries over the projections, answered in the contracts' shapes. */
@Injectable()
export class ReadModel {
  constructor(@Inject(DB) private readonly db: Kysely<Database>) {}

  /** The live app a user means by its name or id, or not_found. */
  async app(ref: string): Promise<AppInfo> {
    return presentApp(await this.appRow(ref));
  }

  async apps(): Promise<AppInfo[]> {
    const rows = await this.db.selectFrom('apps').selectAll().orderBy('name').execute();
    return rows.map(presentApp);
  }

  async config(appId: string): Promise<Record<string, string>> {
    const rows = await this.db.selectFrom('config_vars').select(['name', 'value']).where('app_id', '=', appId).orderBy('name').execute();
    return Object.fromEntries(rows.map((r) => [r.name, r.value]));
  }

  /** The app's releases, oldest first. */
  async releases(appRef: string): Promise<ReleaseInfo[]> {
    const app = await this.appRow(appRef);
    const rows = await this.releaseQuery(app).orderBy('version').execute();
    return rows.map((r) => presentRelease(app, r));
  }

  /** One release by its id or its version ("v3" or "3"). */
  async release(appRef: string, ref: string): Promise<ReleaseInfo> {
    const app = await this.appRow(appRef);
    const version = VERSION.exec(ref.trim());
    let q = this.releaseQuery(app);
    if (version) q = q.where('version', '=', Number(version[1]));
    else if (UUID.test(ref)) q = q.where('id', '=', ref);
    else throw notFound(`Couldn't find that release (${ref}). Name it by version (v3) or id.`);
    const row = await q.executeTakeFirst();
    if (!row) throw notFound(`Couldn't find that release (${ref}).`);
    return presentRelease(app, row);
  }

  async formation(appId: string): Promise<FormationInfo[]> {
    const rows = await this.db.selectFrom('formation').selectAll().where('app_id', '=', appId).orderBy('type').execute();
    return rows.map((f) => ({ type: f.type, quantity: f.quantity, size: f.size as DynoSize, command: f.command, updatedAt: f.updated_at.toISOString() }));
  }

  /** The app's custom domains, oldest first (the default domain is the api's to add). */
  async domains(appId: string): Promise<DomainInfo[]> {
    const rows = await this.db.selectFrom('domains').selectAll().where('app_id', '=', appId).orderBy('created_at').orderBy('hostname').execute();
    return rows.map((d) => ({ hostname: d.hostname, kind: 'custom', createdAt: d.created_at.toISOString() }));
  }

  /**
   * Every live app's current release (the newest that did not fail its release phase) and formation:
   * what the dyno-manager should run.
   */
  async desiredState(): Promise<DesiredApp[]> {
    const apps = await this.db.selectFrom('apps').selectAll().orderBy('name').execute();
    return Promise.all(apps.map(async (app) => {
      const current = await this.releaseQuery(app).where('version', '=', app.release_version).executeTakeFirstOrThrow();
      const formation = await this.formation(app.id);
      const domains = await this.domains(app.id);
      return {
        appId: app.id, appName: app.name, release: presentRelease(app, current),
        formation: formation.map(({ type, quantity, size }) => ({ type, quantity, size })),
        streamVersion: app.stream_version,
        maintenance: app.maintenance, domains: domains.map((d) => d.hostname),
      };
    }));
  }

  private async appRow(ref: string): Promise<AppRow> {
    const row = await this.db.selectFrom('apps').selectAll()
      .where(UUID.test(ref) ? 'id' : 'name', '=', UUID.test(ref) ? ref.toLowerCase() : ref)
      .executeTakeFirst();
    if (!row) throw notFound("Couldn't find that app.");
    return row;
  }

  private releaseQuery(app: AppRow) {
    return this.db.selectFrom('releases').selectAll().where('app_id', '=', app.id);
  }
}

function presentApp(a: AppRow): AppInfo {
  return {
    id: a.id, name: a.name, stack: a.stack, region: a.region, owner: a.owner,
    createdAt: a.created_at.toISOString(), updatedAt: a.updated_at.toISOString(),
    releaseVersion: a.release_version, slugSize: a.slug_size === null ? null : Number(a.slug_size),
    maintenance: a.maintenance,
  };
}

interface ReleaseRow {
  id: string; version: number; description: string; created_by: string; created_at: Date;
  slug: Record<string, unknown> | null; config: Record<string, string>; build_id: string | null; status: string;
}

function presentRelease(app: AppRow, r: ReleaseRow): ReleaseInfo {
  return {
    id: r.id, appId: app.id, appName: app.name, version: r.version, description: r.description, by: r.created_by,
    createdAt: r.created_at.toISOString(), slug: r.slug as Slug | null, config: r.config,
    current: r.version === app.release_version, buildId: r.build_id, status: r.status as ReleaseInfo['status'],
  };
}
