import { Inject, Injectable } from '@nestjs/common';
import { illegalState, notFound, type AppSetupInfo, type RecordAppSetup, type RequestOf, type UpdateAppSetup } from '@paas/contracts';
import type { AppSetupsTable, Database, Kysely } from '@paas/db';
import type { Selectable } from 'kysely';
import { DB } from '../tokens.js';

/**
 * App setups as rows: the api runs a setup and writes its steps here, so the record outlives the
 * api process and the app (a failed setup's app is destroyed). Not app state: no events.
 */
@Injectable()
export class AppSetupStore {
  constructor(@Inject(DB) private readonly db: Kysely<Database>) {}

  async record(req: RequestOf<typeof RecordAppSetup>): Promise<AppSetupInfo> {
    const now = new Date();
    const row = await this.db.insertInto('app_setups').values({
      id: req.id, app_id: req.app.id, app_name: req.app.name, status: 'pending', failure_message: null, build: null, postdeploy: null,
      resolved_success_url: null, created_by: req.by.toLowerCase(), source_url: req.sourceUrl, created_at: now, updated_at: now,
    }).returningAll().executeTakeFirstOrThrow();
    return present(row);
  }

  /** Applies a change to a setup that is still pending; one that ended is an illegal_state. */
  async update(req: RequestOf<typeof UpdateAppSetup>): Promise<AppSetupInfo> {
    const row = await this.db.updateTable('app_setups').set({
      updated_at: new Date(),
      ...(req.status ? { status: req.status } : {}),
      ...(req.failureMessage !== undefined ? { failure_message: req.failureMessage } : {}),
      ...(req.build ? { build: JSON.stringify(req.build) } : {}),
      ...(req.postdeploy ? { postdeploy: JSON.stringify(req.postdeploy) } : {}),
      ...(req.resolvedSuccessUrl !== undefined ? { resolved_success_url: req.resolvedSuccessUrl } : {}),
    }).where('id', '=', req.id).where('status', '=', 'pending').returningAll().executeTakeFirst();
    if (row) return present(row);
    const found = await this.get(req.id);
    throw illegalState(`App setup ${found.id} already ${found.status}; it cannot change any more.`);
  }

  async get(id: string, actor?: string): Promise<AppSetupInfo> {
    let q = this.db.selectFrom('app_setups').selectAll().where('id', '=', id);
    if (actor !== undefined) q = q.where('created_by', '=', actor.toLowerCase());
    const row = await q.executeTakeFirst();
    if (!row) throw notFound("Couldn't find that app setup.");
    return present(row);
  }

  async stale(updatedBefore: Date): Promise<AppSetupInfo[]> {
    const rows = await this.db.selectFrom('app_setups').selectAll().where('status', '=', 'pending').where('updated_at', '<', updatedBefore).orderBy('created_at').limit(100).execute();
    return rows.map(present);
  }
}

function present(r: Selectable<AppSetupsTable>): AppSetupInfo {
  return {
    id: r.id, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
    status: r.status as AppSetupInfo['status'], failureMessage: r.failure_message,
    app: { id: r.app_id, name: r.app_name }, build: r.build ?? null, manifestErrors: [], postdeploy: r.postdeploy ?? null,
    resolvedSuccessUrl: r.resolved_success_url, by: r.created_by, sourceUrl: r.source_url,
  };
}
