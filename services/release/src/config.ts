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
  /** Where add-ons are provisioned (PAAS_ADDON_POSTGRES_URL, PAAS_ADDON_REDIS_URL). */
  addons: AddonSettings;
}

/** The servers add-on resources live on. */
export interface AddonSettings {
  /** An admin connection to the Postgres server holding heroku-postgresql databases (never the platform's own database). */
  postgresUrl: string;
  /** The Redis 7 server holding heroku-redis ACL users. */
  redisUrl: string;
}

/** Add-on server settings; the Postgres one must not be the platform's own database. */
export function addonSettingsFromEnv(env: NodeJS.ProcessEnv, platformDatabaseUrl: string): AddonSettings {
  const postgresUrl = env.PAAS_ADDON_POSTGRES_URL || 'postgres://127.0.0.1:5432/postgres';
  const redisUrl = env.PAAS_ADDON_REDIS_URL || 'redis://127.0.0.1:6379';
  let pgUrl: URL;
  let platform: URL;
  try {
    pgUrl = new URL(postgresUrl);
    platform = new URL(platformDatabaseUrl);
  } catch {
    throw new Error('PAAS_ADDON_POSTGRES_URL is not a URL; set it like postgres://admin@127.0.0.1:5432/postgres');
  }
  if (!/^postgres(ql)?:$/.test(pgUrl.protocol)) throw new Error(`PAAS_ADDON_POSTGRES_URL must start with postgres:// (got ${pgUrl.protocol}//)`);
  const sameServer = pgUrl.host === platform.host || (pgUrl.port || '5432') === (platform.port || '5432') && pgUrl.hostname === platform.hostname;
  if (sameServer && pgUrl.pathname === platform.pathname) {
    throw new Error(`PAAS_ADDON_POSTGRES_URL names the platform's own database (${platform.pathname.slice(1)}); point it at the server's maintenance database, e.g. postgres://127.0.0.1:5432/postgres`);
  }
  if (!/^rediss?:$/.test(new URL(redisUrl).protocol)) throw new Error('PAAS_ADDON_REDIS_URL must start with redis:// or rediss://');
  return { postgresUrl, redisUrl };
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
    addons: addonSettingsFromEnv(env, databaseUrl(env)),
  };
}
