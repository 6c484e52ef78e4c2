import { messagingSettingsFromEnv, type MessagingSettings } from '@paas/messaging';
import { resolve } from 'node:path';

/** Everything the builder service reads from its environment, validated at boot. */
export interface BuilderSettings {
  messaging: MessagingSettings;
  /** Repos, blobs and dyno directories (PAAS_DATA_DIR). */
  dataDir: string;
}

export function builderSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): BuilderSettings {
  return {
    messaging: messagingSettingsFromEnv(env),
    dataDir: resolve(env.PAAS_DATA_DIR || '.paas-data'),
  };
}
