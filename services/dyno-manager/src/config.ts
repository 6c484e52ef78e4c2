import { messagingSettingsFromEnv, type MessagingSettings } from '@paas/messaging';
import { resolve } from 'node:path';

/** Everything the dyno-manager service reads from its environment, validated at boot. */
export interface DynoManagerSettings {
  messaging: MessagingSettings;
  /** Repos, blobs and dyno directories (PAAS_DATA_DIR). */
  dataDir: string;
}

export function dynoManagerSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): DynoManagerSettings {
  return {
    messaging: messagingSettingsFromEnv(env),
    dataDir: resolve(env.PAAS_DATA_DIR || '.paas-data'),
  };
}
