import { messagingSettingsFromEnv, type MessagingSettings } from '@paas/messaging';
import { resolve } from 'node:path';

/** Everything the release service reads from its environment, validated at boot. */
export interface ReleaseSettings {
  messaging: MessagingSettings;
  /** Repos, blobs and dyno directories (PAAS_DATA_DIR). */
  dataDir: string;
  /** Postgres holding the event log (DATABASE_URL). */
  databaseUrl: string;
  /** Connections in the Postgres pool (PAAS_DB_POOL_SIZE). */
  dbPoolSize: number;
  /** How often the outbox is swept for events not yet on NATS (PAAS_OUTBOX_INTERVAL_MS). */
  outboxIntervalMs: number;
  /** Longest wait between publish retries while NATS fails (PAAS_OUTBOX_MAX_BACKOFF_MS). */
  outboxMaxBackoffMs: number;
  /** Tries of a command whose append lost a race with another writer (PAAS_COMMAND_TRIES). */
  commandTries: number;
}

function positiveInt(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${key}="${raw}" is not a positive whole number; unset it to use ${fallback}`);
  return n;
}

function databaseUrl(env: NodeJS.ProcessEnv): string {
  const url = env.DATABASE_URL || 'postgres://127.0.0.1:5432/paas';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('DATABASE_URL is not a URL; set it like postgres://user@127.0.0.1:5432/paas');
  }
  if (!/^postgres(ql)?:$/.test(parsed.protocol)) throw new Error(`DATABASE_URL must start with postgres:// (got ${parsed.protocol}//)`);
  return url;
}

export function releaseSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ReleaseSettings {
  return {
    messaging: messagingSettingsFromEnv(env),
    dataDir: resolve(env.PAAS_DATA_DIR || '.paas-data'),
    databaseUrl: databaseUrl(env),
    dbPoolSize: positiveInt(env, 'PAAS_DB_POOL_SIZE', 10),
    outboxIntervalMs: positiveInt(env, 'PAAS_OUTBOX_INTERVAL_MS', 1000),
    outboxMaxBackoffMs: positiveInt(env, 'PAAS_OUTBOX_MAX_BACKOFF_MS', 30_000),
    commandTries: positiveInt(env, 'PAAS_COMMAND_TRIES', 10),
  };
}
