import { Inject, Injectable } from '@nestjs/common';
import type { AppLogDrain, LogDrainInfo } from '@paas/contracts';
import type { Database, Kysely, LogDrainsTable } from '@paas/db';
import { DB } from '../tokens.js';

/** Queries over the log_drains projection. */
@Injectable()
export class LogDrainReadModel {
  constructor(@Inject(DB) private readonly db: Kysely<Database>) {}

  /** The app's drains, oldest first. */
  async ofApp(appId: string): Promise<LogDrainInfo[]> {
    const rows = await this.db.selectFrom('log_drains').selectAll().where('app_id', '=', appId).orderBy('created_at').orderBy('id').execute();
    return rows.map(present);
  }

  /** Every drain of every live app, with the app's name. */
  async all(): Promise<AppLogDrain[]> {
    const rows = await this.db.selectFrom('log_drains').innerJoin('apps', 'apps.id', 'log_drains.app_id')
      .selectAll('log_drains').select('apps.name as app_name').orderBy('log_drains.created_at').execute();
    return rows.map((r) => ({ ...present(r), appId: r.app_id, appName: r.app_name }));
  }
}

function present(r: LogDrainsTable): LogDrainInfo {
  return { id: r.id, url: r.url, token: r.token, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString() };
}
