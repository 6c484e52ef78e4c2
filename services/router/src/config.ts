import { messagingSettingsFromEnv, type MessagingSettings } from '@paas/messaging';
import { resolve } from 'node:path';

/** Everything the router service reads from its environment, validated at boot. */
export interface RouterSettings {
  messaging: MessagingSettings;
  /** Repos, blobs and dyno directories (PAAS_DATA_DIR). */
  dataDir: string;
  /** Where the router listens (PAAS_ROUTER_HOST, PAAS_ROUTER_PORT). */
  host: string;
  port: number;
  /** Apps answer at <app>.<domain> (PAAS_DOMAIN). */
  domain: string;
}

export function routerSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): RouterSettings {
  return {
    messaging: messagingSettingsFromEnv(env),
    dataDir: resolve(env.PAAS_DATA_DIR || '.paas-data'),
    host: env.PAAS_ROUTER_HOST || '127.0.0.1',
    port: Number(env.PAAS_ROUTER_PORT || 8080),
    domain: env.PAAS_DOMAIN || 'localhost',
  };
}
