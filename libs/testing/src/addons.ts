import { Redis } from 'ioredis';
import { userInfo } from 'node:os';
import pg from 'pg';

/** Where add-on resources of test platforms live (the platform's defaults). */
const ADDON_PG = process.env.PAAS_ADDON_POSTGRES_URL || `${process.env.TEST_DATABASE_BASE_URL || 'postgres://127.0.0.1:5432'}/postgres`;
const ADDON_REDIS = process.env.PAAS_ADDON_REDIS_URL || 'redis://127.0.0.1:6379';

/**
 * Drops every add-on resource a test platform's log says it created (databases, roles, Redis ACL
 * users and their keys), whatever state the test left them in. The log is read, not the
 * projections, so add-ons of destroyed apps are found too.
 */
export async function dropAddonResources(databaseUrl: string): Promise<void> {
  const addons = await recordedAddons(databaseUrl);
  const postgres = addons.filter((a) => a.service === 'heroku-postgresql');
  const redis = addons.filter((a) => a.service === 'heroku-redis');
  if (postgres.length > 0) {
    const c = new pg.Client({ connectionString: withUser(ADDON_PG) });
    await c.connect();
    try {
      for (const a of postgres) {
        const name = `addon_${a.id.replace(/-/g, '')}`;
        await c.query(`drop database if exists "${name}" with (force)`);
        await c.query(`drop role if exists "${name}"`);
      }
    } finally {
      await c.end();
    }
  }
  if (redis.length > 0) {
    const r = new Redis(ADDON_REDIS, { maxRetriesPerRequest: 1 });
    try {
      for (const a of redis) {
        const keys = await r.keys(`${a.name}:*`);
        if (keys.length > 0) await r.del(...keys);
        await r.call('ACL', 'DELUSER', a.name);
      }
    } finally {
      r.disconnect();
    }
  }
}

async function recordedAddons(databaseUrl: string): Promise<{ id: string; name: string; service: string }[]> {
  const c = new pg.Client({ connectionString: withUser(databaseUrl) });
  try {
    await c.connect();
  } catch {
    return []; // no database: nothing was recorded
  }
  try {
    const exists = await c.query(`select to_regclass('events') as t`);
    if (!exists.rows[0]?.t) return [];
    const { rows } = await c.query<{ data: { addonId: string; name: string; service: string } }>(`select data from events where type = 'AddonCreated'`);
    return rows.map((r) => ({ id: r.data.addonId, name: r.data.name, service: r.data.service }));
  } finally {
    await c.end();
  }
}

function withUser(url: string): string {
  const u = new URL(url);
  if (!u.username) u.username = process.env.PGUSER || userInfo().username;
  return u.toString();
}
