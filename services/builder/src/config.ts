import { messagingSettingsFromEnv, type MessagingSettings } from '@paas/messaging';
import { resolve } from 'node:path';

/** Everything the builder service reads from its environment, validated at boot. */
export interface BuilderSettings {
  messaging: MessagingSettings;
  /** Repos, blobs and dyno directories (PAAS_DATA_DIR). */
  dataDir: string;
  /** How long one build may run its commands in total before it is stopped (PAAS_BUILD_TIMEOUT_MS). */
  buildTimeoutMs: number;
}

const FIFTEEN_MINUTES = 15 * 60_000;

export function builderSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): BuilderSettings {
  return {
    messaging: messagingSettingsFromEnv(env),
    dataDir: resolve(env.PAAS_DATA_DIR || '.paas-data'),
    buildTimeoutMs: positiveMs(env, 'PAAS_BUILD_TIMEOUT_MS', FIFTEEN_MINUTES),
  };
}

function positiveMs(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) {
    throw new Error(`${key}="${raw}" is not a positive whole number of milliseconds (default ${fallback}, i.e. 15 minutes)`);
  }
  return n;
}
