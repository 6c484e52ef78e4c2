import { messagingSettingsFromEnv, type MessagingSettings } from '@paas/messaging';
import { resolve } from 'node:path';

/** Everything the release service reads from its environment, validated at boot. */
export interface ReleaseSettings {
  messaging: MessagingSettings;
  /** Repos, blobs and dyno directories (PAAS_DATA_DIR). */
  dataDir: string;
  /** Postgres holding the event log (DATABASE_URL). */
  databaseUrl: string;
}

export function releaseSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ReleaseSettings {
  return {
    messaging: messagingSettingsFromEnv(env),
    dataDir: resolve(env.PAAS_DATA_DIR || '.paas-data'),
    databaseUrl: env.DATABASE_URL || 'postgres://127.0.0.1:5432/paas',
  };
}
