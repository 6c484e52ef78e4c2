// `npm run projections:rebuild`: empties apps, releases, config_vars, formation and domains and replays the
// whole event log into them. Safe while the service runs: appends wait for the rebuild to commit.
import { createDb, ensureDatabase, migrate } from '@paas/db';
import { rebuildProjections } from './adapters/rebuild.js';
import { redact } from './adapters/database.js';
import { releaseSettingsFromEnv } from './config.js';

const settings = releaseSettingsFromEnv();
await ensureDatabase(settings.databaseUrl);
const db = createDb(settings.databaseUrl, 1);
try {
  await migrate(db);
  const started = Date.now();
  const replayed = await rebuildProjections(db);
  console.log(`rebuilt the projections of ${redact(settings.databaseUrl)} from ${replayed} events in ${Date.now() - started} ms`);
} catch (err) {
  console.error(`rebuilding the projections failed, the previous rows are kept: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.destroy();
}
