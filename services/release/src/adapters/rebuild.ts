import { sql, type Database, type Kysely } from '@paas/db';
import { toStored } from './event-store.js';
import { project } from './projector.js';

/**
 * Empties the query tables and replays the whole log through the projector used by appends,
 * in one transaction: readers see the old rows until the new ones are complete. Returns the
 * number of events replayed.
 */
export async function rebuildProjections(db: Kysely<Database>, batchSize = 500): Promise<number> {
  return db.transaction().execute(async (trx) => {
    // TRUNCATE locks the tables until commit, so a concurrent append waits, then projects onto the new rows.
    await sql`truncate table repo_links, addon_attachments, addons, log_drains, collaborators, api_tokens, accounts, domains, formation, config_vars, releases, apps`.execute(trx);
    let replayed = 0;
    let after = 0;
    for (;;) {
      const rows = await trx.selectFrom('events').selectAll()
        .where('position', '>', String(after)).orderBy('position').limit(batchSize).execute();
      if (rows.length === 0) return replayed;
      for (const row of rows) await project(trx, toStored(row).envelope);
      replayed += rows.length;
      after = Number(rows[rows.length - 1]!.position);
    }
  });
}
